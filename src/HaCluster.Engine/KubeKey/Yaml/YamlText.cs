// Copyright (c) HaCluster contributors. MIT License.
// Converts between YAML text and our document tree; the only place that touches YamlDotNet.

using System.Collections.Generic;
using System.IO;
using System.Linq;
using HaCluster.Engine.Common;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace HaCluster.Engine.KubeKey.Yaml;

/// <summary>Parses multi-document YAML into <see cref="YNode"/> trees and emits them back as text.</summary>
internal static class YamlText
{
    /// <summary>Error id for text that is not well-formed YAML.</summary>
    public const string InvalidYamlErrorId = "ConfigYamlInvalid";

    /// <summary>Parses every non-empty document of <paramref name="text"/>.</summary>
    /// <param name="text">YAML text.</param>
    /// <param name="source">File name or description used in error messages.</param>
    /// <returns>The document roots, in order.</returns>
    public static List<YNode> Parse(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new HaClusterException(
                InvalidYamlErrorId,
                FailureKind.InvalidData,
                $"{source} is not valid YAML (line {ex.Start.Line}, column {ex.Start.Column}): {ex.Message}",
                source,
                ex);
        }

        return stream.Documents
            .Select(d => d.RootNode)
            .Where(n => !(n is YamlScalarNode s && string.IsNullOrEmpty(s.Value)))
            .Select(n => Convert(n, source))
            .ToList();
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

    private static YNode Convert(YamlNode node, string source)
    {
        var tag = node.Tag.IsEmpty || node.Tag.IsNonSpecific ? null : node.Tag.Value;
        switch (node)
        {
            case YamlScalarNode scalar:
                return new YScalar(scalar.Value ?? string.Empty, ToStyle(scalar.Style)) { Tag = tag };
            case YamlSequenceNode sequence:
                return new YSeq(sequence.Children.Select(c => Convert(c, source)), sequence.Style == SequenceStyle.Flow) { Tag = tag };
            case YamlMappingNode mapping:
                var map = new YMap(mapping.Style == MappingStyle.Flow) { Tag = tag };
                foreach (var entry in mapping.Children)
                {
                    if (entry.Key is not YamlScalarNode key)
                    {
                        throw new HaClusterException(
                            InvalidYamlErrorId,
                            FailureKind.InvalidData,
                            $"{source} has a complex mapping key at line {entry.Key.Start.Line}; KubeKey configs only use text keys.",
                            source);
                    }

                    map.Set(key.Value ?? string.Empty, Convert(entry.Value, source));
                }

                return map;
            default:
                throw new HaClusterException(
                    InvalidYamlErrorId,
                    FailureKind.InvalidData,
                    $"{source} has an unsupported YAML node at line {node.Start.Line}.",
                    source);
        }
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
}
