// Copyright (c) HaCluster contributors. MIT License.
// Flattens typed request values into QingCloud's wire parameters (reference/qingcloud-api.md §1.5).

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>An object that travels as <c>name.N.field=value</c> parameters (a listener, a backend, a rule).</summary>
public interface IQingCloudParameterObject
{
    /// <summary>Writes this object's fields, unprefixed, into <paramref name="target"/>.</summary>
    /// <param name="target">Receives <c>field=value</c> pairs.</param>
    void WriteTo(QingCloudParameters target);
}

/// <summary>
/// The action-specific parameters of one request, in wire form: lists become <c>name.1</c>,
/// <c>name.2</c> (1-based); lists of objects become <c>name.1.field</c>; booleans become 0/1;
/// a list inside an object is comma-joined. Null values are left out.
/// </summary>
public sealed class QingCloudParameters : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _items = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Number of wire parameters.</summary>
    public int Count => _items.Count;

    /// <summary>The value of a wire parameter, or null.</summary>
    /// <param name="name">Wire name, e.g. <c>instances.1</c>.</param>
    public string? this[string name]
    {
        get
        {
            foreach (var item in _items)
            {
                if (item.Key == name)
                {
                    return item.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Adds a string unless it is null.</summary>
    /// <param name="name">Wire name.</param>
    /// <param name="value">Value.</param>
    /// <returns>This instance.</returns>
    public QingCloudParameters Add(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        if (!_names.Add(name))
        {
            throw new ArgumentException($"Parameter '{name}' was added twice.", nameof(name));
        }

        // Every name sent to QingCloud (load balancer, listener, backend, EIP, rule, tag, ...) passes here.
        if (name.EndsWith("name", StringComparison.Ordinal))
        {
            InputText.RequirePrintable($"The {name.Substring(name.LastIndexOf('.') + 1)}", value);
        }

        _items.Add(new KeyValuePair<string, string>(name, value));
        return this;
    }

    /// <summary>Adds an integer unless it is null.</summary>
    /// <param name="name">Wire name.</param>
    /// <param name="value">Value.</param>
    /// <returns>This instance.</returns>
    public QingCloudParameters Add(string name, long? value) =>
        Add(name, value?.ToString(CultureInfo.InvariantCulture));

    /// <summary>Adds a boolean as 1 or 0 unless it is null.</summary>
    /// <param name="name">Wire name.</param>
    /// <param name="value">Value.</param>
    /// <returns>This instance.</returns>
    public QingCloudParameters Add(string name, bool? value) =>
        Add(name, value is null ? null : value.Value ? "1" : "0");

    /// <summary>Adds <c>name.1</c>, <c>name.2</c>, … for each value; nothing for null or empty.</summary>
    /// <param name="name">List name, e.g. <c>instances</c>.</param>
    /// <param name="values">Values.</param>
    /// <returns>This instance.</returns>
    public QingCloudParameters AddList(string name, IEnumerable<string>? values)
    {
        if (values is null)
        {
            return this;
        }

        var index = 1;
        foreach (var value in values)
        {
            Add(name + "." + index.ToString(CultureInfo.InvariantCulture), value);
            index++;
        }

        return this;
    }

    /// <summary>Adds <c>name.N.field=value</c> for each object and each of its fields.</summary>
    /// <typeparam name="T">Object type.</typeparam>
    /// <param name="name">List name, e.g. <c>listeners</c>.</param>
    /// <param name="items">Objects.</param>
    /// <returns>This instance.</returns>
    public QingCloudParameters AddObjects<T>(string name, IEnumerable<T>? items)
        where T : IQingCloudParameterObject
    {
        if (items is null)
        {
            return this;
        }

        var index = 1;
        foreach (var item in items)
        {
            var fields = new QingCloudParameters();
            item.WriteTo(fields);
            var prefix = name + "." + index.ToString(CultureInfo.InvariantCulture) + ".";
            foreach (var field in fields)
            {
                Add(prefix + field.Key, field.Value);
            }

            index++;
        }

        return this;
    }

    /// <summary>Adds a list nested inside an object as one comma-joined value (the Go SDK's form).</summary>
    /// <param name="name">Field name.</param>
    /// <param name="values">Values; nothing is added for null or empty.</param>
    /// <returns>This instance.</returns>
    public QingCloudParameters AddJoined(string name, IEnumerable<string>? values)
    {
        var joined = values is null ? string.Empty : string.Join(",", values);
        return joined.Length == 0 ? this : Add(name, joined);
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
