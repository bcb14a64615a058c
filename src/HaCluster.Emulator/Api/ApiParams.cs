// Copyright (c) HaCluster contributors. MIT License.
// Typed access to the flattened request parameters (name.N lists, name.N.field objects, 0/1 booleans).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace HaCluster.Emulator.Api;

/// <summary>Request parameters after URL decoding, with validation that throws 1100.</summary>
internal sealed class ApiParams
{
    private readonly IReadOnlyDictionary<string, string> _values;
    private readonly string _prefix;

    /// <summary>Wraps parameters (values trimmed, as the signer does).</summary>
    /// <param name="values">Name → value; the first occurrence of a name wins.</param>
    /// <param name="prefix">Prefix for names in messages, e.g. <c>listeners.1.</c>.</param>
    public ApiParams(IReadOnlyDictionary<string, string> values, string prefix = "")
    {
        _values = values;
        _prefix = prefix;
    }

    /// <summary>A value, or null when absent or empty.</summary>
    /// <param name="name">Parameter name.</param>
    /// <returns>The trimmed value.</returns>
    public string? Get(string name) =>
        _values.TryGetValue(name, out var value) && value.Trim().Length > 0 ? value.Trim() : null;

    /// <summary>A value exactly as received (untrimmed), or null when absent or empty.</summary>
    /// <param name="name">Parameter name.</param>
    /// <returns>The value.</returns>
    public string? Raw(string name) =>
        _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>Whether the parameter is present with a non-empty value.</summary>
    /// <param name="name">Parameter name.</param>
    /// <returns>True when given.</returns>
    public bool Has(string name) => Get(name) is not null;

    /// <summary>A required value.</summary>
    /// <param name="name">Parameter name.</param>
    /// <returns>The value.</returns>
    public string Required(string name) => Get(name) ?? throw ApiException.Missing(_prefix + name);

    /// <summary>A value that must be one of <paramref name="allowed"/>.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="defaultValue">Value when absent.</param>
    /// <param name="allowed">Accepted values.</param>
    /// <returns>The value.</returns>
    public string OneOf(string name, string defaultValue, params string[] allowed)
    {
        var value = Get(name) ?? defaultValue;
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw ApiException.Invalid(_prefix + name, value, "expected one of " + string.Join(", ", allowed));
    }

    /// <summary>An optional integer within a range.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="min">Smallest valid value.</param>
    /// <param name="max">Largest valid value.</param>
    /// <returns>The value, or null when absent.</returns>
    public int? Int(string name, int min, int max)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ApiException.Invalid(_prefix + name, text, $"expected an integer from {min} to {max}");
    }

    /// <summary>An integer within a range with a default.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="min">Smallest valid value.</param>
    /// <param name="max">Largest valid value.</param>
    /// <param name="defaultValue">Value when absent.</param>
    /// <returns>The value.</returns>
    public int Int(string name, int min, int max, int defaultValue) => Int(name, min, max) ?? defaultValue;

    /// <summary>A required integer within a range.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="min">Smallest valid value.</param>
    /// <param name="max">Largest valid value.</param>
    /// <returns>The value.</returns>
    public int RequiredInt(string name, int min, int max) => Int(name, min, max) ?? throw ApiException.Missing(_prefix + name);

    /// <summary>The list <c>name.1</c>, <c>name.2</c> … in index order (empty values skipped).</summary>
    /// <param name="name">List name.</param>
    /// <returns>The values.</returns>
    public IReadOnlyList<string> List(string name) =>
        Indexed(name)
            .Where(e => e.Field is null)
            .OrderBy(e => e.Index)
            .Select(e => e.Value.Trim())
            .Where(v => v.Length > 0)
            .ToList();

    /// <summary>A required, non-empty list.</summary>
    /// <param name="name">List name.</param>
    /// <returns>The values.</returns>
    public IReadOnlyList<string> RequiredList(string name)
    {
        var list = List(name);
        return list.Count > 0 ? list : throw ApiException.Missing(_prefix + name + ".1");
    }

    /// <summary>The object list <c>name.N.field</c>, one <see cref="ApiParams"/> per index, in index order.</summary>
    /// <param name="name">List name.</param>
    /// <returns>The objects.</returns>
    public IReadOnlyList<ApiParams> Objects(string name) =>
        Indexed(name)
            .Where(e => e.Field is not null)
            .GroupBy(e => e.Index)
            .OrderBy(g => g.Key)
            .Select(g => new ApiParams(
                g.GroupBy(e => e.Field!, StringComparer.Ordinal).ToDictionary(f => f.Key, f => f.First().Value, StringComparer.Ordinal),
                $"{_prefix}{name}.{g.Key}."))
            .ToList();

    /// <summary>A required, non-empty object list.</summary>
    /// <param name="name">List name.</param>
    /// <returns>The objects.</returns>
    public IReadOnlyList<ApiParams> RequiredObjects(string name)
    {
        var list = Objects(name);
        return list.Count > 0 ? list : throw ApiException.Missing(_prefix + name + ".1");
    }

    private IEnumerable<(long Index, string? Field, string Value)> Indexed(string name)
    {
        var head = name + ".";
        foreach (var (key, value) in _values)
        {
            if (!key.StartsWith(head, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key.Substring(head.Length);
            var dot = rest.IndexOf('.');
            var indexText = dot < 0 ? rest : rest.Substring(0, dot);
            if (long.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                yield return (index, dot < 0 ? null : rest.Substring(dot + 1), value);
            }
        }
    }
}
