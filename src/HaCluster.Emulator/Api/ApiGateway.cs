// Copyright (c) HaCluster contributors. MIT License.
// The /iaas endpoint: parameter parsing, signature and time_stamp checks, fault injection, dispatch, log, reply.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using HaCluster.Emulator.Actions;
using HaCluster.Emulator.DataPlane;
using HaCluster.Emulator.State;
using HaCluster.Engine.QingCloud;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace HaCluster.Emulator.Api;

/// <summary>Serves QingCloud API calls on <c>/iaas/</c> and <c>/iaas</c> with the real wire format (reference §1, §2, §8).</summary>
internal sealed class ApiGateway
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);
    private readonly CloudState _state;
    private readonly JobRunner _jobs;
    private readonly ILoadBalancerDataPlane _dataPlane;
    private readonly RequestLog _log;
    private readonly ActionTable _actions = new();
    private readonly object _faultGate = new();
    private Random _faults;

    /// <summary>Creates the gateway.</summary>
    /// <param name="state">The cloud.</param>
    /// <param name="jobs">Job runner.</param>
    /// <param name="dataPlane">Traffic forwarding.</param>
    /// <param name="log">Request log.</param>
    public ApiGateway(CloudState state, JobRunner jobs, ILoadBalancerDataPlane dataPlane, RequestLog log)
    {
        _state = state;
        _jobs = jobs;
        _dataPlane = dataPlane;
        _log = log;
        _faults = new Random(state.Options.Faults.Seed);
        ComputeActions.Register(_actions);
        LoadBalancerActions.Register(_actions);
        ListenerActions.Register(_actions);
        EipActions.Register(_actions);
        SecurityGroupActions.Register(_actions);
        TagActions.Register(_actions);
    }

    /// <summary>Every supported action name.</summary>
    public IEnumerable<string> Actions => _actions.Actions;

    /// <summary>Restarts the fault sequence from the seed.</summary>
    public void ResetFaults()
    {
        lock (_faultGate)
        {
            _faults = new Random(_state.Options.Faults.Seed);
        }
    }

    /// <summary>Handles one API request.</summary>
    /// <param name="http">The HTTP context.</param>
    /// <returns>A task.</returns>
    public async Task HandleAsync(HttpContext http)
    {
        var sequence = _log.Next();
        var time = CloudState.Now();
        var request = http.Request;
        var method = request.Method;
        var path = request.Path.Value ?? string.Empty;
        var pairs = request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();
        if (HttpMethods.IsPost(method) && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            pairs.AddRange(form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? string.Empty))));
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            values.TryAdd(key, value);
        }

        var action = values.GetValueOrDefault("action")?.Trim();
        var (fault, placeInBand) = DrawFault();
        if (fault == "http_5xx")
        {
            await AnswerAsGatewayAsync(http, placeInBand < 0.5 ? StatusCodes.Status502BadGateway : StatusCodes.Status503ServiceUnavailable, sequence, time, method, path, action, values).ConfigureAwait(false);
            return;
        }

        var body = new JsonObject { ["action"] = (action ?? string.Empty) + "Response" };
        int retCode;
        string? message = null;
        try
        {
            var fields = fault switch
            {
                "ret_code_5100" => throw ApiException.Of(5100, "ServerBusy, the server is busy, please try later"),
                "ret_code_5000" => throw ApiException.Of(5000, "InternalError, an internal error occurred, please try later"),
                "ret_code_5300" => throw ApiException.Of(5300, "ServiceUpdating, the service is updating, please try later"),
                _ => Dispatch(method, path, pairs, new ApiParams(values), action),
            };
            foreach (var (name, node) in fields.ToList())
            {
                fields.Remove(name);
                body[name] = node;
            }

            retCode = 0;
        }
        catch (ApiException ex)
        {
            retCode = ex.RetCode;
            message = ex.Message;
        }
#pragma warning disable CA1031 // A bug in a handler must still produce the documented envelope, not an HTML 500.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            retCode = 5000;
            message = "InternalError, " + ex.Message;
        }

        body["ret_code"] = retCode;
        if (message is not null)
        {
            body["message"] = message;
        }

        _log.Add(new EmulatorRequest(sequence, time, method, path, action, Loggable(values), retCode, message, fault));
        if (fault == "drop_connection")
        {
            // The call took effect, but the caller never learns it: the ambiguous failure clients must survive.
            http.Abort();
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    // One seeded draw per request, so a given seed and request sequence always fault the same way. Each fault owns a
    // band of [0, 1) in this order; new faults go last so that existing seeds keep their sequences. The draw's place
    // inside its band picks between variants (502 or 503) without a second draw.
    private (string? Fault, double PlaceInBand) DrawFault()
    {
        var f = _state.Options.Faults;
        double draw;
        lock (_faultGate)
        {
            draw = _faults.NextDouble();
        }

        var bands = new[]
        {
            (f.DropConnectionRate, "drop_connection"),
            (f.RetCode5100Rate, "ret_code_5100"),
            (f.RetCode5000Rate, "ret_code_5000"),
            (f.RetCode5300Rate, "ret_code_5300"),
            (f.Http5xxRate, "http_5xx"),
        };
        var start = 0.0;
        foreach (var (rate, fault) in bands)
        {
            if (draw < start + rate)
            {
                return (fault, (draw - start) / rate);
            }

            start += rate;
        }

        return (null, 0);
    }

    // What a gateway in front of the API answers when the API is unreachable or overloaded: an HTML page, not the
    // JSON envelope. The API never sees the request, so nothing takes effect; the log records the HTTP status in
    // place of a ret_code, as no ret_code was sent.
    private async Task AnswerAsGatewayAsync(HttpContext http, int status, long sequence, DateTimeOffset time, string method, string path, string? action, Dictionary<string, string> values)
    {
        var reason = ReasonPhrases.GetReasonPhrase(status);
        _log.Add(new EmulatorRequest(sequence, time, method, path, action, Loggable(values), status, "HTTP " + status.ToString(CultureInfo.InvariantCulture) + " " + reason, "http_5xx"));
        var bytes = Encoding.UTF8.GetBytes($"<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>\n");
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    private static Dictionary<string, string> Loggable(Dictionary<string, string> values) =>
        values.Where(v => v.Key != "signature").ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    private JsonObject Dispatch(string method, string path, List<KeyValuePair<string, string>> pairs, ApiParams p, string? action)
    {
        var owner = Authenticate(method, path, pairs, p);
        if (string.IsNullOrEmpty(action))
        {
            throw ApiException.Missing("action");
        }

        if (!_actions.TryGet(action, out var handler))
        {
            throw ApiException.UnknownAction(action);
        }

        var zone = p.Required("zone");
        if (!_state.Options.Zones.Contains(zone, StringComparer.Ordinal))
        {
            throw ApiException.Invalid("zone", zone, "expected one of " + string.Join(", ", _state.Options.Zones));
        }

        lock (_state.Gate)
        {
            return handler(new ActionContext(p, zone, owner, _state, _jobs, _dataPlane));
        }
    }

    // §1.3: recompute the signature over the parameters as received and the literal path; then check freshness.
    private string Authenticate(string method, string path, List<KeyValuePair<string, string>> pairs, ApiParams p)
    {
        var keyId = p.Get("access_key_id") ?? throw ApiException.AuthFailure("access_key_id is missing");
        var received = p.Raw("signature") ?? throw ApiException.AuthFailure("signature is missing");
        var timeStamp = p.Required("time_stamp");
        p.Required("signature_method");
        var signatureMethod = p.OneOf("signature_method", "HmacSHA256", "HmacSHA256", "HmacSHA1");
        p.Required("signature_version");
        p.OneOf("signature_version", "1", "1", "2");
        if (!DateTimeOffset.TryParseExact(timeStamp, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stamp))
        {
            throw ApiException.Invalid("time_stamp", timeStamp, "expected UTC YYYY-MM-DDThh:mm:ssZ");
        }

        var account = _state.Options.Accounts.FirstOrDefault(a => a.AccessKeyId == keyId)
            ?? throw ApiException.AuthFailure($"access_key_id [{keyId}] is not valid");
        var expected = QingCloudSigner.Sign(method, path, pairs, account.SecretAccessKey, signatureMethod);

        // A raw '+' in a query decodes to a space; SDKs undo the same substitution (§1.3 step 6).
        var candidate = received.Trim('\n', '\r', '\t').Replace(' ', '+');
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(candidate)))
        {
            throw ApiException.AuthFailure("signature not matched");
        }

        if (CloudState.Now() - stamp > MaxAge)
        {
            throw ApiException.Expired(timeStamp);
        }

        return CloudState.OwnerOf(keyId);
    }
}
