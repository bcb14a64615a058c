// Copyright (c) HaCluster contributors. MIT License.
// Signed QingCloud API calls with retries, envelope parsing and paging; typed actions live in the partial files.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Calls the QingCloud IaaS API as a signed GET on the context's endpoint path exactly as configured
/// (<c>/iaas/</c> or <c>/iaas</c>), with a fresh <c>time_stamp</c> and signature on every attempt.
/// </summary>
/// <remarks>
/// <para>Retries (each one narrated on the observer's Verbose stream with action, attempt, reason and delay):</para>
/// <list type="bullet">
/// <item>transport failures (connection errors, dropped connections, attempt timeouts that the caller's token did
/// not cause), HTTP 5xx, and ret_code 5000, 5100 and 5300, with jittered exponential back-off;</item>
/// <item>ret_code 1300 (message expired): re-signed and sent once more;</item>
/// <item>ret_code 1400 "lease info not ready yet": only for calls made with <see cref="QingCloudCallOptions.DeleteOrRelease"/>;</item>
/// <item>nothing else: every other ret_code surfaces at once as a <see cref="QingCloudApiException"/>.</item>
/// </list>
/// <para>
/// Creates are never repeated blindly. A call made with <see cref="QingCloudCallOptions.NonIdempotent"/> (every
/// Create*, Allocate* and Add* wrapper here) whose request may have reached the server without an answer
/// (dropped connection, timeout, HTTP 5xx) fails with <see cref="QingCloudAmbiguousResultException"/>; it carries the
/// request's parameters so the caller can look the resource up by name (or port, or resource id) and create it
/// only if it is absent. <see cref="CreateOnceAsync{T}"/> packages that look-up-then-retry loop, and the
/// <c>Find…ByNameAsync</c> methods are the look-ups. Likewise, when an idempotent state change is retried after
/// an attempt that may have succeeded and the retry then meets 1400, 2100 or 2110, the outcome is reported as
/// <see cref="QingCloudAmbiguousResultException"/> rather than as a plain failure.
/// </para>
/// <para>The secret access key is read from the context's SecureString only to compute each signature and never written anywhere.</para>
/// </remarks>
public sealed partial class QingCloudClient
{
    /// <summary>Largest page QingCloud serves.</summary>
    public const int PageSize = 100;

    private static readonly HttpClient SharedHttpClient = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    private readonly QingCloudClientOptions _options;
    private readonly HttpClient _http;

    /// <summary>Creates a client.</summary>
    /// <param name="context">Credentials, zone and endpoint.</param>
    /// <param name="observer">Receives retries (Verbose), requests (Debug) and wait progress; null discards them.</param>
    /// <param name="options">Retry and transport settings; null means the defaults.</param>
    public QingCloudClient(QingCloudContext context, IOperationObserver? observer = null, QingCloudClientOptions? options = null)
    {
        Context = context ?? throw new ArgumentNullException(nameof(context));
        Observer = observer ?? NullOperationObserver.Instance;
        _options = options ?? new QingCloudClientOptions();
        _http = _options.HttpClient ?? SharedHttpClient;
    }

    /// <summary>The context the client signs with.</summary>
    public QingCloudContext Context { get; }

    /// <summary>The observer narration goes to.</summary>
    public IOperationObserver Observer { get; }

    /// <summary>
    /// Calls one action and returns the reply's root object after checking <c>ret_code</c>.
    /// </summary>
    /// <param name="action">The action, e.g. <c>DescribeInstances</c>.</param>
    /// <param name="parameters">The action's own parameters; the common ones (zone, key, time, signature) are added.</param>
    /// <param name="callOptions">Retry semantics; null means <see cref="QingCloudCallOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the call, including back-off delays.</param>
    /// <returns>The reply (a detached copy).</returns>
    /// <exception cref="QingCloudApiException">Non-zero <c>ret_code</c> that was not retried or kept recurring.</exception>
    /// <exception cref="QingCloudTransportException">No usable reply after the retries.</exception>
    /// <exception cref="QingCloudAmbiguousResultException">The outcome of a non-repeatable request is unknown.</exception>
    public async Task<JsonElement> InvokeAsync(string action, QingCloudParameters parameters, QingCloudCallOptions? callOptions = null, CancellationToken cancellationToken = default)
    {
        callOptions ??= QingCloudCallOptions.Default;
        var call = new CallState(action, parameters, callOptions);
        var pipeline = QingCloudResilience.Build(_options, call, Observer);

        // One bound for the whole call, retries included; each attempt gets what is left of it, at most RequestTimeout.
        // A delete or release may also wait out QingCloud's lease window (LeaseRetryWindow, the CCM's 180 s and more).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.CallBound(callOptions));
        try
        {
            var reply = await pipeline.ExecuteAsync(async token => await SendOnceAsync(call, token).ConfigureAwait(false), deadline.Token).ConfigureAwait(false);

            // Every job this context starts is timed from here, whichever wrapper or service made the call.
            if (reply.ValueKind == JsonValueKind.Object && reply.TryGetProperty("job_id", out var job) && job.ValueKind == JsonValueKind.String && job.GetString() is { Length: > 0 } jobId)
            {
                Context.JobDurations.Submitted(jobId, action);
            }

            return reply;
        }
        catch (QingCloudApiException ex) when (call.MayHaveSucceededEarlier && ex.RetCode is 1400 or 2100 or 2110)
        {
            throw new QingCloudAmbiguousResultException(action, ToDictionary(parameters), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Transport(
                call,
                "QingCloudTimeout",
                FailureKind.OperationTimeout,
                string.Format(CultureInfo.InvariantCulture, "QingCloud {0} got no usable reply within {1:0.#} s, the limit of one call with all its retries ({2} attempt(s), each limited to {3:0.#} s).", action, _options.CallTimeout.TotalSeconds, call.Attempts, _options.RequestTimeout.TotalSeconds),
                null,
                true,
                call.Attempts > 0,
                ex);
        }
    }

    /// <summary>
    /// Calls a Describe action page by page (<c>offset</c>/<c>limit</c> = 100 until <c>total_count</c>, or while pages are full when the reply has no <c>total_count</c>) and returns every item.
    /// </summary>
    /// <typeparam name="T">Item type.</typeparam>
    /// <param name="action">The Describe action.</param>
    /// <param name="filter">Filter parameters (without offset/limit).</param>
    /// <param name="setName">The reply's array, e.g. <c>instance_set</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>All items.</returns>
    public async Task<IReadOnlyList<T>> DescribeAllAsync<T>(string action, QingCloudParameters filter, string setName, CancellationToken cancellationToken = default)
    {
        var items = new List<T>();
        while (true)
        {
            var page = new QingCloudParameters();
            foreach (var p in filter)
            {
                page.Add(p.Key, p.Value);
            }

            page.Add("offset", items.Count).Add("limit", PageSize);
            var reply = await InvokeAsync(action, page, QingCloudCallOptions.Default, cancellationToken).ConfigureAwait(false);
            var count = 0;
            if (reply.TryGetProperty(setName, out var set) && set.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in set.EnumerateArray())
                {
                    items.Add(ReadItem<T>(action, element));
                    count++;
                }
            }

            // A short page is the last one. total_count may be absent (the API spec of DescribeLoadBalancers and
            // …Backends has none), so without it a full page means "maybe more".
            int? total = reply.TryGetProperty("total_count", out var t) && t.TryGetInt32(out var n) ? n : null;
            if (count < PageSize || (total is { } known && items.Count >= known))
            {
                return items;
            }
        }
    }

    /// <summary>
    /// Creates something that must exist exactly once. Runs <paramref name="create"/>; when its outcome is
    /// unknown (<see cref="QingCloudAmbiguousResultException"/>) it runs <paramref name="lookup"/> and returns what
    /// that finds, and only if nothing is found does it create again (up to three attempts in all).
    /// </summary>
    /// <typeparam name="T">What the create and the look-up return, typically the new resource's id.</typeparam>
    /// <param name="what">Describes the resource for the Verbose stream, e.g. <c>load balancer 'k8s-api'</c>.</param>
    /// <param name="create">Creates the resource.</param>
    /// <param name="lookup">Finds the resource by name (or another unique key); null when absent.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The created or found resource.</returns>
    public async Task<T> CreateOnceAsync<T>(string what, Func<CancellationToken, Task<T>> create, Func<CancellationToken, Task<T?>> lookup, CancellationToken cancellationToken = default)
        where T : class
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await create(cancellationToken).ConfigureAwait(false);
            }
            catch (QingCloudAmbiguousResultException ex) when (attempt < attempts)
            {
                Observer.Verbose($"QingCloud {ex.Action}: the outcome for {what} is unknown ({ex.InnerException?.Message}); looking it up before trying again.");
                var found = await lookup(cancellationToken).ConfigureAwait(false);
                if (found is not null)
                {
                    Observer.Verbose($"QingCloud {ex.Action}: {what} exists; the earlier attempt succeeded.");
                    return found;
                }

                Observer.Verbose($"QingCloud {ex.Action}: {what} does not exist; creating it again (attempt {attempt + 1} of {attempts}).");
            }
        }
    }

    private static T ReadItem<T>(string action, JsonElement element)
    {
        try
        {
            return QingCloudJson.Deserialize<T>(element);
        }
        catch (JsonException ex)
        {
            throw new QingCloudTransportException("QingCloudInvalidResponse", FailureKind.InvalidResult, action, $"QingCloud {action} returned a {typeof(T).Name} that cannot be read: {ex.Message}", 200, isTransient: false, mayHaveReachedServer: true, ex);
        }
    }

    private static Dictionary<string, string> ToDictionary(QingCloudParameters parameters) =>
        parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    // One attempt: new time_stamp, new signature, one HTTP GET, envelope check.
    private async Task<JsonElement> SendOnceAsync(CallState call, CancellationToken cancellationToken)
    {
        call.Attempts++;
        var all = new List<KeyValuePair<string, string>>(call.Parameters)
        {
            new("action", call.Action),
            new("access_key_id", Context.AccessKeyId),
            new("signature_method", "HmacSHA256"),
            new("signature_version", "1"),
            new("time_stamp", _options.UtcNow().ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            new("version", "1"),
            new("zone", Context.Zone),
        };
        var query = QingCloudSigner.CanonicalQuery(all);
        var signature = QingCloudSigner.Sign("GET", Context.ApiPath, all, Context.RevealSecret());
        var endpoint = Context.Endpoint.GetLeftPart(UriPartial.Path);
        var uri = new Uri(endpoint + "?" + query + "&signature=" + Uri.EscapeDataString(signature));
        Observer.Debug($"QingCloud GET {endpoint}?{query} (signature omitted)");

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.RequestTimeout);
        var clock = Stopwatch.StartNew();
        string body;
        int status;
        try
        {
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseContentRead, attempt.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Transport(call, "QingCloudTimeout", FailureKind.OperationTimeout, $"QingCloud {call.Action} got no reply within {_options.RequestTimeout.TotalSeconds:0.#} s.", null, true, true, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // An unknown host name will not resolve on the next attempt either: fail at once.
            var socketError = SocketErrorOf(ex);
            var unresolvable = socketError is SocketError.HostNotFound or SocketError.NoData;
            var reached = socketError is not (SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.AddressNotAvailable);
            throw Transport(call, "QingCloudConnectionFailed", FailureKind.ConnectionError, $"QingCloud {call.Action} could not reach {Context.Endpoint.Authority}: {Innermost(ex).Message}", null, !unresolvable, reached, ex);
        }

        Observer.Debug($"QingCloud {call.Action}: HTTP {status}, {body.Length} bytes in {clock.ElapsedMilliseconds} ms");
        if (status >= 500)
        {
            throw Transport(call, "QingCloudHttpError", FailureKind.ResourceUnavailable, $"QingCloud {call.Action} answered HTTP {status}.", status, true, true, null);
        }

        if (status != 200)
        {
            throw Transport(call, "QingCloudHttpError", FailureKind.InvalidResult, $"QingCloud {call.Action} answered HTTP {status}.", status, false, true, null);
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw Transport(call, "QingCloudInvalidResponse", FailureKind.InvalidResult, $"QingCloud {call.Action} answered with a body that is not JSON.", status, false, true, ex);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ret_code", out var retCodeElement) || !retCodeElement.TryGetInt32(out var retCode))
        {
            throw Transport(call, "QingCloudInvalidResponse", FailureKind.InvalidResult, $"QingCloud {call.Action} answered without an integer ret_code.", status, false, true, null);
        }

        Observer.Debug($"QingCloud {call.Action}: ret_code {retCode}");
        if (retCode != 0)
        {
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            throw new QingCloudApiException(retCode, call.Action, message);
        }

        return root;
    }

    // A transport failure of a request that must not be repeated becomes "outcome unknown" when it may have been processed.
    // HTTP 5xx counts as "may have been": it comes from a gateway or proxy that may fail after forwarding the request.
    // ret_code 5000/5100/5300 are the API's own answers and are retried even for creates (see QingCloudResilience).
    private static HaClusterException Transport(CallState call, string errorId, FailureKind kind, string message, int? status, bool transient, bool reached, Exception? inner)
    {
        var failure = new QingCloudTransportException(errorId, kind, call.Action, message, status, transient, reached, inner);
        if (transient && reached)
        {
            if (!call.Options.IsIdempotent)
            {
                return new QingCloudAmbiguousResultException(call.Action, ToDictionary(call.Parameters), failure);
            }

            call.MayHaveSucceededEarlier = true;
        }

        return failure;
    }

    private static SocketError? SocketErrorOf(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    /// <summary>What one logical call carries through its attempts.</summary>
    internal sealed class CallState
    {
        public CallState(string action, QingCloudParameters parameters, QingCloudCallOptions options)
        {
            Action = action;
            Parameters = parameters;
            Options = options;
        }

        public string Action { get; }

        public QingCloudParameters Parameters { get; }

        public QingCloudCallOptions Options { get; }

        /// <summary>Attempts sent so far.</summary>
        public int Attempts { get; set; }

        /// <summary>Set when an attempt failed after it may have reached the server.</summary>
        public bool MayHaveSucceededEarlier { get; set; }
    }
}
