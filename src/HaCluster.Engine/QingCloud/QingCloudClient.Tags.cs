// Copyright (c) HaCluster contributors. MIT License.
// Typed tag actions.

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Engine.QingCloud;

/// <content>CreateTag, ModifyTagAttributes, AttachTags, DetachTags, DescribeTags, DeleteTags.</content>
public sealed partial class QingCloudClient
{
    /// <summary>CreateTag (names are unique and under 15 characters). Not repeated after an ambiguous failure: look up with <see cref="FindTagsByNameAsync"/>.</summary>
    /// <param name="name">The tag name.</param>
    /// <param name="color">The colour, e.g. <c>#9f9bb7</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new tag id.</returns>
    public async Task<string> CreateTagAsync(string name, string? color = null, CancellationToken cancellationToken = default)
    {
        QingCloudValidation.Required("QingCloudTagNameMissing", "The tag name", name);
        QingCloudValidation.Range("QingCloudTagNameTooLong", "Tag name length", name.Length, 1, 14);
        var reply = await InvokeAsync("CreateTag", new QingCloudParameters().Add("tag_name", name).Add("color", color), QingCloudCallOptions.NonIdempotent, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "tag_id", "CreateTag");
    }

    /// <summary>ModifyTagAttributes: sets the description of one tag (repeating it is harmless).</summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="description">The description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task ModifyTagDescriptionAsync(string tagId, string description, CancellationToken cancellationToken = default) =>
        InvokeAsync("ModifyTagAttributes", new QingCloudParameters().Add("tag", tagId).Add("description", description), QingCloudCallOptions.Default, cancellationToken);

    /// <summary>AttachTags.</summary>
    /// <param name="pairs">Tag, resource type and resource id triples.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task AttachTagsAsync(IEnumerable<ResourceTagPair> pairs, CancellationToken cancellationToken = default) =>
        InvokeAsync("AttachTags", new QingCloudParameters().AddObjects("resource_tag_pairs", pairs), QingCloudCallOptions.Default, cancellationToken);

    /// <summary>DetachTags; detaching a pair that is not attached is not an error.</summary>
    /// <param name="pairs">Tag, resource type and resource id triples.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task DetachTagsAsync(IEnumerable<ResourceTagPair> pairs, CancellationToken cancellationToken = default) =>
        InvokeAsync("DetachTags", new QingCloudParameters().AddObjects("resource_tag_pairs", pairs), QingCloudCallOptions.Default, cancellationToken);

    /// <summary>DeleteTags: deletes the tags and detaches them from every resource they mark.</summary>
    /// <param name="tagIds">The tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task DeleteTagsAsync(IEnumerable<string> tagIds, CancellationToken cancellationToken = default) =>
        InvokeAsync("DeleteTags", new QingCloudParameters().AddList("tags", tagIds), QingCloudCallOptions.DeleteOrRelease, cancellationToken);

    /// <summary>DescribeTags, all pages.</summary>
    /// <param name="tagIds">Only these tags.</param>
    /// <param name="searchWord">Matches the id or name.</param>
    /// <param name="verbose">Include the tagged resources.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tags.</returns>
    public Task<IReadOnlyList<Tag>> DescribeTagsAsync(IEnumerable<string>? tagIds = null, string? searchWord = null, bool verbose = false, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<Tag>("DescribeTags", new QingCloudParameters().AddList("tags", tagIds).Add("search_word", searchWord).Add("verbose", verbose ? 1 : null), "tag_set", cancellationToken);

    /// <summary>Tags whose name is exactly <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The matches.</returns>
    public async Task<IReadOnlyList<Tag>> FindTagsByNameAsync(string name, CancellationToken cancellationToken = default) =>
        (await DescribeTagsAsync(searchWord: name, cancellationToken: cancellationToken).ConfigureAwait(false)).Where(t => t.TagName == name).ToList();
}
