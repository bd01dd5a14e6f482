using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace Mesh.Proxy.Security.ExtAuthz;

/// <summary>
/// Envoy's ext_authz HTTP check (Istio's <c>envoyExtAuthzHttp</c>): the request's method, path
/// (after <c>pathPrefix</c>) and Host, the headers <c>includeRequestHeadersInCheck</c> names plus the
/// fixed <c>includeAdditionalHeadersInCheck</c>, and the buffered body when configured. 200 allows; 5xx
/// is an error; any other status denies with the authorizer's status, body and headers.
/// </summary>
internal static class HttpExtAuthzCheck
{
    // Headers of a denial that the client always gets when headersToDownstreamOnDeny is set (Istio's list).
    private static readonly string[] AlwaysOnDeny = ["path", "status", "content-length", "www-authenticate", "location"];

    public static async Task<ExtAuthzOutcome> CheckAsync(ExtAuthzProviderModel provider, HttpContext context, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        if (ExtAuthzSender.Pick(provider.Cluster, HttpVersion.Version11) is not { } target)
        {
            return ExtAuthzOutcome.Failed($"no available endpoint in cluster '{provider.ClusterName}'");
        }

        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target.Address + provider.PathPrefix + request.GetEncodedPathAndQuery())
        {
            Version = target.Version,
            VersionPolicy = target.Policy,
        };
        message.Headers.Host = request.Host.Value;
        foreach (var (name, values) in request.Headers)
        {
            if (provider.RequestHeaders?.Matches(name) == true && !IsHopOrLength(name))
            {
                message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        foreach (var (name, value) in provider.AdditionalHeaders)
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        }

        // Content-Length is the body sent with the check: 0 unless includeRequestBodyInCheck.
        message.Content = new ReadOnlyMemoryContent(body ?? ReadOnlyMemory<byte>.Empty);
        if (body is not null && request.ContentType is { } contentType)
        {
            message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await target.Client.SendAsync(message, cancellationToken);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return ExtAuthzOutcome.Failed($"the authorizer answered {status}");
        }

        var headers = response.Headers.Concat(response.Content.Headers)
            .SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v)))
            .ToList();
        if (status == 200)
        {
            var allowed = new ExtAuthzOutcome { Verdict = ExtAuthzVerdict.Allowed, Reason = "200" };
            foreach (var (name, value) in headers)
            {
                if (provider.UpstreamOnAllow?.Matches(name) == true)
                {
                    allowed.UpstreamHeaders.Add((name, value, false));
                }

                if (provider.DownstreamOnAllow?.Matches(name) == true)
                {
                    allowed.ClientHeaders.Add(KeyValuePair.Create(name, value));
                }
            }

            return allowed;
        }

        var denied = new ExtAuthzOutcome
        {
            Verdict = ExtAuthzVerdict.Denied,
            Reason = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Status = status,
            Body = await response.Content.ReadAsByteArrayAsync(cancellationToken),
        };
        foreach (var (name, value) in headers)
        {
            var forward = provider.DownstreamOnDeny is null
                ? !name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                : provider.DownstreamOnDeny.Matches(name) || AlwaysOnDeny.Contains(name, StringComparer.OrdinalIgnoreCase);
            if (forward && !IsHopOrLength(name))
            {
                denied.ClientHeaders.Add(KeyValuePair.Create(name, value));
            }
        }

        return denied;
    }

    // Framing is the proxy's business on each hop.
    private static bool IsHopOrLength(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Host", StringComparison.OrdinalIgnoreCase);
}
