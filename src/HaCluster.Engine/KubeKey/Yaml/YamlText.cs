// Copyright (c) HaCluster contributors. MIT License.
// Converts between YAML text and our document tree; the only place that touches YamlDotNet.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using HaCluster.Engine.Common;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace HaCluster.Engine.KubeKey.Yaml;

/// <summary>
/// Parses multi-document YAML into <see cref="YNode"/> trees and emits them back as text. The one YAML reader of the
/// module (kk configs and the QingCloud CLI profile): it reads parser events itself so that a hostile file is refused
/// before it costs memory or stack: text longer than <see cref="MaxChars"/>, more than <see cref="MaxNodes"/> nodes
/// counting every alias expansion (a 1 KB "billion laughs" file), nesting deeper than <see cref="MaxDepth"/>.
/// </summary>
internal static class YamlText
{
    /// <summary>Error id for text that is not well-formed YAML.</summary>
    public const string InvalidYamlErrorId = "ConfigYamlInvalid";

    /// <summary>Error id: the text is longer than <see cref="MaxChars"/>.</summary>
    public const string TooLargeErrorId = "YamlTooLarge";

    /// <summary>Error id: more than <see cref="MaxNodes"/> nodes once aliases are expanded.</summary>
    public const string TooManyNodesErrorId = "YamlTooManyNodes";

    /// <summary>Error id: nesting deeper than <see cref="MaxDepth"/>.</summary>
    public const string TooDeepErrorId = "YamlTooDeep";

    /// <summary>Largest file or text read, in bytes (characters for text): 4 MiB; a 1000-host kk config is about 200 KB.</summary>
    public const int MaxChars = 4 * 1024 * 1024;

    /// <summary>Most nodes per text, counting each alias as the nodes it expands to.</summary>
    public const int MaxNodes = 200_000;

    /// <summary>Deepest nesting of sequences and mappings (kk configs nest about 8 deep).</summary>
    public const int MaxDepth = 64;

    /// <summary>Reads a YAML file's text, refusing a file larger than <see cref="MaxChars"/> bytes before reading it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="source">Description used in error messages.</param>
    /// <returns>The text.</returns>
    /// <exception cref="HaClusterException"><see cref="TooLargeErrorId"/>; IO exceptions pass through for the caller to name.</exception>
    public static string ReadFile(string path, string source)
    {
        // Opened first, so a folder or a missing file fails as File.ReadAllText would; the size is known before reading.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length > MaxChars)
        {
            throw new HaClusterException(TooLargeErrorId, FailureKind.LimitsExceeded, $"{source} has {stream.Length} bytes; YAML files are read up to {MaxChars} bytes.", source);
        }

        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Parses every non-empty document of <paramref name="text"/>.</summary>
    /// <param name="text">YAML text.</param>
    /// <param name="source">File name or description used in error messages.</param>
    /// <param name="invalidErrorId">Error id for malformed text (callers with their own, such as the profile reader).</param>
    /// <param name="quoteParserMessage">Whether the parser's message may appear in errors (false for files holding secrets).</param>
    /// <returns>The document roots, in order.</returns>
    /// <exception cref="HaClusterException"><paramref name="invalidErrorId"/> with line and column, or a limit's error id.</exception>
    public static List<YNode> Parse(string text, string source, string invalidErrorId = InvalidYamlErrorId, bool quoteParserMessage = true)
    {
        if (text.Length > MaxChars)
        {
            throw new HaClusterException(TooLargeErrorId, FailureKind.LimitsExceeded, $"{source} has {text.Length} characters; YAML files are read up to {MaxChars} bytes.", source);
        }

        var reader = new EventReader(source, invalidErrorId);
        var documents = new List<YNode>();
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                var root = reader.Read(parser, 0);
                parser.Consume<DocumentEnd>();
                reader.EndDocument();
                if (!(root is YScalar empty && empty.Value.Length == 0))
                {
                    documents.Add(root);
                }
            }
        }
        catch (YamlException ex)
        {
            throw new HaClusterException(
                invalidErrorId,
                FailureKind.InvalidData,
                $"{source} is not valid YAML (line {ex.Start.Line}, column {ex.Start.Column}){(quoteParserMessage ? ": " + ex.Message : ".")}",
                source,
                quoteParserMessage ? ex : null);
        }

        return documents;
    }

    /// <summary>Writes the documents as one multi-document YAML text, separated by <c>---</c>.</summary>
    /// <param name="documents">Document roots.</param>
    /// <returns>The text, ending with a newline.</returns>
    public static string Emit(IEnumerable<YNode> documents)
    {
        var writer = new StringWriter { NewLine = "\n" };

        // Unlimited width: kk's host entries are single long flow lines and must not be folded.
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, newLine: "\n"));
        emitter.Emit(new StreamStart());
        var first = true;
        foreach (var document in documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: first));
            EmitNode(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
            first = false;
        }

        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void EmitNode(IEmitter emitter, YNode node)
    {
        var tag = node.Tag is null ? TagName.Empty : new TagName(node.Tag);
        var implicitTag = node.Tag is null;
        switch (node)
        {
            case YScalar scalar:
                emitter.Emit(new Scalar(AnchorName.Empty, tag, scalar.Value, FromStyle(scalar.Style), implicitTag, implicitTag));
                break;
            case YSeq sequence:
                emitter.Emit(new SequenceStart(AnchorName.Empty, tag, implicitTag, sequence.Flow ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in sequence.Items)
                {
                    EmitNode(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case YMap map:
                emitter.Emit(new MappingStart(AnchorName.Empty, tag, implicitTag, map.Flow ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var entry in map.Entries)
                {
                    // Keys such as "yes" or "80" were strings in the source; quote them so they stay strings.
                    var key = YScalar.String(entry.Key);
                    emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, key.Value, FromStyle(key.Style), true, true));
                    EmitNode(emitter, entry.Value);
                }

                emitter.Emit(new MappingEnd());
                break;
        }
    }

    private static YStyle ToStyle(ScalarStyle style) => style switch
    {
        ScalarStyle.SingleQuoted => YStyle.SingleQuoted,
        ScalarStyle.DoubleQuoted => YStyle.DoubleQuoted,
        ScalarStyle.Literal => YStyle.Literal,
        ScalarStyle.Folded => YStyle.Folded,
        _ => YStyle.Plain,
    };

    private static ScalarStyle FromStyle(YStyle style) => style switch
    {
        YStyle.SingleQuoted => ScalarStyle.SingleQuoted,
        YStyle.DoubleQuoted => ScalarStyle.DoubleQuoted,
        YStyle.Literal => ScalarStyle.Literal,
        YStyle.Folded => ScalarStyle.Folded,
        _ => ScalarStyle.Plain,
    };

    // Builds the tree from parser events, counting nodes (aliases as their expansion) and depth as it goes.
    private sealed class EventReader
    {
        private readonly Dictionary<string, (YNode Node, int Size)> _anchors = new(StringComparer.Ordinal);
        private readonly string _source;
        private readonly string _invalidErrorId;
        private int _nodes;

        public EventReader(string source, string invalidErrorId)
        {
            _source = source;
            _invalidErrorId = invalidErrorId;
        }

        public void EndDocument() => _anchors.Clear(); // anchors are scoped to their document

        public YNode Read(IParser parser, int depth)
        {
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw Invalid($"the alias *{alias.Value.Value} at line {alias.Start.Line}, column {alias.Start.Column} names no anchor before it");
                }

                Count(anchored.Size, alias.Start);
                return anchored.Node.Clone();
            }

            var before = _nodes;
            Count(1, parser.Current!.Start);
            YNode node;
            AnchorName anchor;
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                anchor = scalar.Anchor;
                node = new YScalar(scalar.Value, ToStyle(scalar.Style)) { Tag = TagOf(scalar.Tag) };
            }
            else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                anchor = sequenceStart.Anchor;
                Nest(depth, sequenceStart.Start);
                var sequence = new YSeq(null, sequenceStart.Style == SequenceStyle.Flow) { Tag = TagOf(sequenceStart.Tag) };
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    sequence.Items.Add(Read(parser, depth + 1));
                }

                node = sequence;
            }
            else if (parser.TryConsume<MappingStart>(out var mappingStart))
            {
                anchor = mappingStart.Anchor;
                Nest(depth, mappingStart.Start);
                var map = new YMap(mappingStart.Style == MappingStyle.Flow) { Tag = TagOf(mappingStart.Tag) };
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var at = parser.Current!.Start;
                    if (Read(parser, depth + 1) is not YScalar key)
                    {
                        throw Invalid($"a complex mapping key at line {at.Line}; KubeKey configs only use text keys");
                    }

                    if (map.Contains(key.Value))
                    {
                        throw Invalid($"the key '{key.Value}' appears twice in one mapping (line {at.Line}, column {at.Column})");
                    }

                    map.Set(key.Value, Read(parser, depth + 1));
                }

                node = map;
            }
            else
            {
                throw Invalid($"an unsupported YAML node at line {parser.Current.Start.Line}");
            }

            if (!anchor.IsEmpty)
            {
                _anchors[anchor.Value] = (node, _nodes - before);
            }

            return node;
        }

        private static string? TagOf(TagName tag) => tag.IsEmpty || tag.IsNonSpecific ? null : tag.Value;

        private void Count(int nodes, Mark at)
        {
            _nodes += nodes;
            if (_nodes > MaxNodes)
            {
                throw new HaClusterException(
                    TooManyNodesErrorId,
                    FailureKind.LimitsExceeded,
                    $"{_source} expands to more than {MaxNodes} YAML nodes (counting each alias as the nodes it repeats) by line {at.Line}, column {at.Column}; YAML files are read up to {MaxNodes} nodes.",
                    _source);
            }
        }

        private void Nest(int depth, Mark at)
        {
            if (depth >= MaxDepth)
            {
                throw new HaClusterException(
                    TooDeepErrorId,
                    FailureKind.LimitsExceeded,
                    $"{_source} nests deeper than {MaxDepth} levels at line {at.Line}, column {at.Column}; YAML files are read up to {MaxDepth} levels.",
                    _source);
            }
        }

        private HaClusterException Invalid(string what) => new(_invalidErrorId, FailureKind.InvalidData, $"{_source} has {what}.", _source);
    }
}
