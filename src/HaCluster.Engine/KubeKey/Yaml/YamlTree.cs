// Copyright (c) HaCluster contributors. MIT License.
// A small YAML document tree of our own, so no YamlDotNet type leaks out of the reader and writer.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace HaCluster.Engine.KubeKey.Yaml;

/// <summary>How a scalar is written. Kept from the source so unknown values round-trip unchanged.</summary>
internal enum YStyle
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// <summary>A node of a YAML document: a scalar, a mapping or a sequence.</summary>
internal abstract class YNode
{
    /// <summary>Explicit tag such as <c>!!str</c>, or null.</summary>
    public string? Tag { get; set; }

    /// <summary>A deep copy, so exported trees never share nodes with the config they came from.</summary>
    public abstract YNode Clone();
}

/// <summary>A scalar with its text and the style it was (or will be) written in.</summary>
internal sealed class YScalar : YNode
{
    // Plain scalars a YAML 1.1 reader (kk's go-yaml) would not read back as the same string.
    private static readonly Regex NonStringPlain = new(
        @"^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF" +
        @"|[-+]?(0|[1-9][0-9_]*)(\.[0-9_]*)?([eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+" +
        @"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[0-9]+(:[0-5]?[0-9])+(\.[0-9_]*)?)$",
        RegexOptions.CultureInvariant);

    public YScalar(string value, YStyle style = YStyle.Plain)
    {
        Value = value;
        Style = style;
    }

    public string Value { get; }

    public YStyle Style { get; }

    /// <summary>True for a plain empty value or <c>~</c>/<c>null</c>, which YAML reads as null.</summary>
    public bool IsNull => Style == YStyle.Plain && Tag is null && (Value.Length == 0 || Value is "~" or "null" or "Null" or "NULL");

    /// <summary>A string scalar, double-quoted only when plain text would read back as something else.</summary>
    public static YScalar String(string value) =>
        new(value, value.Length == 0 || NonStringPlain.IsMatch(value) || NeedsQuotes(value) ? YStyle.DoubleQuoted : YStyle.Plain);

    /// <summary>A string scalar that is always double-quoted (passwords, paths, addresses, as kk writes them).</summary>
    public static YScalar Quoted(string value) => new(value, YStyle.DoubleQuoted);

    public static YScalar Int(int value) => new(value.ToString(CultureInfo.InvariantCulture));

    public static YScalar Bool(bool value) => new(value ? "true" : "false");

    public override YNode Clone() => new YScalar(Value, Style) { Tag = Tag };

    // Leading indicators, ": " and " #" make plain scalars ambiguous; YamlDotNet would pick a quoted
    // style anyway, double quotes keep the output predictable.
    private static bool NeedsQuotes(string value) =>
        "-?:,[]{}#&*!|>'\"%@`".IndexOf(value[0]) >= 0 ||
        char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[value.Length - 1]) ||
        value.Contains(": ") || value.Contains(" #") || value.EndsWith(":", StringComparison.Ordinal) ||
        value.Any(c => c == '\n' || c == '\r' || c == '\t' || char.IsControl(c));
}

/// <summary>A sequence; <see cref="Flow"/> when it was (or should be) written as <c>[a, b]</c>.</summary>
internal sealed class YSeq : YNode
{
    public YSeq(IEnumerable<YNode>? items = null, bool flow = false)
    {
        Items = items?.ToList() ?? new List<YNode>();
        Flow = flow;
    }

    public List<YNode> Items { get; }

    public bool Flow { get; set; }

    public override YNode Clone() => new YSeq(Items.Select(i => i.Clone()), Flow) { Tag = Tag };
}

/// <summary>An ordered mapping with string keys; <see cref="Flow"/> when written as <c>{a: b}</c>.</summary>
internal sealed class YMap : YNode
{
    private readonly List<KeyValuePair<string, YNode>> _entries = new();

    public YMap(bool flow = false) => Flow = flow;

    public bool Flow { get; set; }

    public IReadOnlyList<KeyValuePair<string, YNode>> Entries => _entries;

    public int Count => _entries.Count;

    public YNode? this[string key]
    {
        get
        {
            var index = IndexOf(key);
            return index < 0 ? null : _entries[index].Value;
        }
    }

    public bool Contains(string key) => IndexOf(key) >= 0;

    /// <summary>Replaces the value in place (keeping the key's position) or appends the key.</summary>
    public YMap Set(string key, YNode value)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            _entries.Add(new KeyValuePair<string, YNode>(key, value));
        }
        else
        {
            _entries[index] = new KeyValuePair<string, YNode>(key, value);
        }

        return this;
    }

    /// <summary>Like <see cref="Set"/>, but a new key goes to <paramref name="index"/> instead of the end.</summary>
    public YMap SetAt(int index, string key, YNode value)
    {
        if (IndexOf(key) >= 0)
        {
            return Set(key, value);
        }

        _entries.Insert(Math.Min(Math.Max(index, 0), _entries.Count), new KeyValuePair<string, YNode>(key, value));
        return this;
    }

    public bool Remove(string key)
    {
        var index = IndexOf(key);
        if (index >= 0)
        {
            _entries.RemoveAt(index);
        }

        return index >= 0;
    }

    /// <summary>The scalar text under <paramref name="key"/>, or null when absent, null or not a scalar.</summary>
    public string? GetString(string key) => this[key] is YScalar s && !s.IsNull ? s.Value : null;

    /// <summary>The mapping under <paramref name="key"/>, created (appended) when absent or null.</summary>
    public YMap GetOrAddMap(string key)
    {
        if (this[key] is YMap map)
        {
            return map;
        }

        map = new YMap();
        Set(key, map);
        return map;
    }

    /// <summary>Follows a path of keys through nested mappings; null when any step is missing.</summary>
    public YNode? Find(params string[] path)
    {
        YNode? node = this;
        foreach (var key in path)
        {
            node = (node as YMap)?[key];
        }

        return node;
    }

    public override YNode Clone()
    {
        var copy = new YMap(Flow) { Tag = Tag };
        foreach (var entry in _entries)
        {
            copy._entries.Add(new KeyValuePair<string, YNode>(entry.Key, entry.Value.Clone()));
        }

        return copy;
    }

    private int IndexOf(string key) => _entries.FindIndex(e => string.Equals(e.Key, key, StringComparison.Ordinal));
}
