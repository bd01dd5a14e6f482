using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>The rules of an HTTP route's actions: redirect, direct response, rewrites, retries, fault injection and CORS.</summary>
internal static partial class VirtualServiceValidator
{
    private static readonly HashSet<string> RetryOnPolicies =
    [
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
        "retriable-status-codes", "retriable-headers", "envoy-ratelimited", "http3-post-connect-failure",
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ];

    private static readonly HashSet<string> CorsMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"];

    private static readonly HashSet<string> GrpcStatuses =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED",
    ];

    private static void ValidateRedirect(HttpRedirect? redirect, string path, ValidationContext context)
    {
        if (redirect is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(redirect.Uri) && string.IsNullOrEmpty(redirect.Authority) && redirect.Port is null
            && redirect.DerivePort is null && string.IsNullOrEmpty(redirect.Scheme))
        {
            context.Error(path, "redirect must specify URI, authority, scheme, or port");
        }

        if (redirect.Port is not null && redirect.DerivePort is not null)
        {
            context.Error(path, "only one of port or derivePort may be set");
        }

        if (redirect.RedirectCode is { } code and (< 300 or > 399))
        {
            context.Error($"{path}.redirectCode", $"{code} is not a valid redirect code, must be 3xx");
        }
        else if (redirect.RedirectCode is { } other and not (0 or 301 or 302 or 303 or 307 or 308))
        {
            context.Error($"{path}.redirectCode", $"redirect code {other} is not supported: the proxy sends 301, 302, 303, 307 or 308");
        }

        if (redirect.Scheme is { Length: > 0 } scheme && scheme is not ("http" or "https"))
        {
            context.Error($"{path}.scheme", "invalid redirect scheme, must be \"http\" or \"https\"");
        }

        if (redirect.Port is { } port && IstioRules.Port(port) is { } portError)
        {
            context.Error($"{path}.port", portError);
        }
    }

    private static void ValidateDirectResponse(HttpDirectResponse? response, string path, ValidationContext context)
    {
        if (response is null)
        {
            return;
        }

        if (response.Status is not (>= 200 and <= 599))
        {
            context.Error($"{path}.status", $"HTTP status {response.Status ?? 0} is not in range 200-599");
        }

        if (response.Body is { } body)
        {
            if (body.String is not null && body.Bytes is not null)
            {
                context.Error($"{path}.body", "only one of string or bytes may be set");
            }

            var size = body.String?.Length ?? 0;
            if (body.Bytes is not null)
            {
                var buffer = new byte[body.Bytes.Length];
                if (!Convert.TryFromBase64String(body.Bytes, buffer, out size))
                {
                    context.Error($"{path}.body.bytes", "bytes must be base64 encoded");
                }
                else if (!IsUtf8(buffer.AsSpan(0, size)))
                {
                    context.Error($"{path}.body.bytes", "binary (non UTF-8) direct response bodies are not supported");
                }
            }

            if (size > 1024 * 1024)
            {
                context.Error($"{path}.body", "large direct_responses may impact control plane performance, must be less than 1MB");
            }
        }
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _ = new System.Text.UTF8Encoding(false, true).GetString(bytes);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    private static void ValidateRewrite(HttpRewrite? rewrite, string path, ValidationContext context)
    {
        if (rewrite is null)
        {
            return;
        }

        if (!string.IsNullOrEmpty(rewrite.Uri) && rewrite.UriRegexRewrite is not null)
        {
            context.Error(path, "rewrite may only contain one of URI or UriRegexRewrite");
        }

        if (string.IsNullOrEmpty(rewrite.Uri) && rewrite.UriRegexRewrite is null && string.IsNullOrEmpty(rewrite.Authority))
        {
            context.Error(path, "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified");
        }

        if (rewrite.UriRegexRewrite is { } regex)
        {
            if (string.IsNullOrEmpty(regex.Match) || string.IsNullOrEmpty(regex.Rewrite))
            {
                context.Error($"{path}.uriRegexRewrite", "UriRegexRewrite requires both Rewrite and Match fields to be specified");
            }
            else if (IstioRules.Regex(regex.Match) is { } error)
            {
                context.Error($"{path}.uriRegexRewrite.match", error);
            }
        }
    }

    // Istio's validateAuthorityRewrite: rewrite.authority and a request header set/add of Host or
    // :authority each rewrite the authority; more than one of them is ambiguous.
    private static void ValidateAuthorityRewrite(HttpRoute route, string path, ValidationContext context)
    {
        var current = route.Rewrite?.Authority ?? "";
        var request = route.Headers?.Request;
        foreach (var (kind, map) in new[] { ("set", request?.Set), ("add", request?.Add) })
        {
            foreach (var (name, value) in map ?? ValueMap<string>.Empty)
            {
                if (!name.Equals("host", StringComparison.OrdinalIgnoreCase) && name != ":authority")
                {
                    continue;
                }

                if (current.Length > 0)
                {
                    context.Error(FieldPath.Key($"{path}.headers.request.{kind}", name), $"authority header cannot be set multiple times: have \"{current}\", attempting to set \"{value}\"");
                }

                current = value;
            }
        }
    }

    private static void ValidateRetries(HttpRetry? retries, string path, ValidationContext context)
    {
        if (retries is null)
        {
            return;
        }

        if (retries.Attempts is < 0)
        {
            context.Error($"{path}.attempts", "attempts cannot be negative");
        }

        if ((retries.Attempts ?? 0) == 0 && (retries.PerTryTimeout is not null || !string.IsNullOrEmpty(retries.RetryOn) || retries.RetryRemoteLocalities is not null))
        {
            context.Error(path, "http retry policy configured when attempts are set to 0 (disabled)");
        }

        if (retries.PerTryTimeout is { } perTry && IstioRules.Duration(perTry) is { } error)
        {
            context.Error($"{path}.perTryTimeout", error);
        }

        if (!string.IsNullOrEmpty(retries.RetryOn))
        {
            foreach (var policy in retries.RetryOn.Split(','))
            {
                var isStatus = int.TryParse(policy, out var status) && status is >= 100 and <= 599;
                if (!isStatus && !RetryOnPolicies.Contains(policy))
                {
                    context.Error($"{path}.retryOn", $"\"{policy}\" is not a valid retryOn policy");
                }
            }
        }

    }

    private static void ValidateFault(HttpFaultInjection? fault, string path, ValidationContext context)
    {
        if (fault is null)
        {
            return;
        }

        if (fault.Abort is null && fault.Delay is null)
        {
            context.Error(path, "HTTP fault injection must have an abort and/or a delay");
        }

        if (fault.Delay is { } delay)
        {
            if (IstioRules.Percentage(delay.Percentage) is { } percentError)
            {
                context.Error($"{path}.delay.percentage.value", percentError);
            }

            if (IstioRules.Percent(delay.Percent) is { } legacyError)
            {
                context.Error($"{path}.delay.percent", legacyError);
            }

            // A delay without fixedDelay is accepted and does nothing, as in Istio.
            if (delay.FixedDelay is { } fixedDelay && IstioRules.Duration(fixedDelay) is { } error)
            {
                context.Error($"{path}.delay.fixedDelay", error);
            }
        }

        if (fault.Abort is { } abort)
        {
            if (IstioRules.Percentage(abort.Percentage) is { } percentError)
            {
                context.Error($"{path}.abort.percentage.value", percentError);
            }

            var kinds = (abort.HttpStatus is not null ? 1 : 0) + (abort.GrpcStatus is not null ? 1 : 0) + (abort.Http2Error is not null ? 1 : 0);
            if (kinds > 1)
            {
                context.Error($"{path}.abort", "only one of httpStatus, grpcStatus or http2Error may be set");
            }

            if (abort.HttpStatus is { } status && status is < 200 or > 599)
            {
                context.Error($"{path}.abort.httpStatus", $"HTTP status {status} is not in range 200-599");
            }

            if (abort.GrpcStatus == "OK")
            {
                context.Error($"{path}.abort.grpcStatus", "gRPC status OK is not supported: the proxy aborts with an error status");
            }
            else if (abort.GrpcStatus is { } grpc && !GrpcStatuses.Contains(grpc))
            {
                context.Error($"{path}.abort.grpcStatus", $"gRPC status \"{grpc}\" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'");
            }

        }
    }

    private static void ValidateCors(CorsPolicy? cors, string path, ValidationContext context)
    {
        if (cors is null)
        {
            return;
        }

        for (var i = 0; i < cors.AllowOrigins.Count; i++)
        {
            var origin = cors.AllowOrigins[i];
            if (string.IsNullOrEmpty(origin.Exact ?? origin.Prefix ?? origin.Regex))
            {
                context.Error($"{path}.allowOrigins[{i}]", "'' is not a valid match type for CORS allow origins");
            }

            IstioRules.StringMatch(origin, $"{path}.allowOrigins[{i}]", context);
        }

        for (var i = 0; i < cors.AllowMethods.Count; i++)
        {
            if (!CorsMethods.Contains(cors.AllowMethods[i]))
            {
                context.Error($"{path}.allowMethods[{i}]", $"\"{cors.AllowMethods[i]}\" is not a supported HTTP method");
            }
        }

        foreach (var (field, names) in new[] { ("allowHeaders", cors.AllowHeaders), ("exposeHeaders", cors.ExposeHeaders) })
        {
            for (var i = 0; i < names.Count; i++)
            {
                if (names[i] != "*" && IstioRules.MatchHeaderName(names[i]) is { } error)
                {
                    context.Error($"{path}.{field}[{i}]", error);
                }
            }
        }

        if (cors.MaxAge is { } maxAge)
        {
            if (IstioRules.Duration(maxAge) is { } error)
            {
                context.Error($"{path}.maxAge", error);
            }
            else if (maxAge.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                context.Error($"{path}.maxAge", "max_age duration is accurate only to seconds precision");
            }
        }
    }
}
