using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Mesh.Proxy.Security.ExtAuthz;

/// <summary>
/// Envoy's ext_authz filter for one request and one provider: buffers the body when the provider
/// wants it, sends the check within the provider's timeout, and applies the answer — allowed:
/// headers onto the upstream request and the client's response; denied: the authorizer's reply;
/// failed: allowed with <c>failOpen</c>, else <c>statusOnError</c>. A provider whose service is not in
/// the mesh denies (Istio replaces such a policy with deny-all).
/// </summary>
internal sealed partial class ExtAuthzCaller(ILogger<ExtAuthzCaller> logger, TimeProvider time)
{
    /// <summary>The body limit when <c>maxRequestBytes</c> is 0.</summary>
    internal const int DefaultMaxRequestBytes = 1024 * 1024;

    /// <summary>Null: continue with the request; otherwise the reply to send instead.</summary>
    public async Task<ExtAuthzOutcome?> CheckAsync(HttpContext context, ExtAuthzProviderModel provider)
    {
        if (provider.Cluster is null)
        {
            Log.UnknownService(logger, provider.Name, context.Request.Path.Value ?? "/");
            return new ExtAuthzOutcome { Verdict = ExtAuthzVerdict.Denied, Reason = "provider service not in the mesh", Body = "RBAC: access denied"u8.ToArray() };
        }

        ReadOnlyMemory<byte>? body = null;
        if (provider.Body is { } settings)
        {
            var read = await ReadBodyAsync(context.Request, settings, context.RequestAborted);
            if (read is null)
            {
                return new ExtAuthzOutcome { Verdict = ExtAuthzVerdict.Denied, Reason = "body larger than maxRequestBytes", Status = StatusCodes.Status413PayloadTooLarge };
            }

            body = read;
        }

        var outcome = await SendAsync(context, provider, body);
        switch (outcome.Verdict)
        {
            case ExtAuthzVerdict.Allowed:
                Apply(context, outcome);
                return null;
            case ExtAuthzVerdict.Error when provider.FailOpen:
                Log.FailedOpen(logger, provider.Name, outcome.Reason);
                return null;
            case ExtAuthzVerdict.Error:
                Log.FailedClosed(logger, provider.Name, outcome.Reason, provider.StatusOnError);
                return new ExtAuthzOutcome { Verdict = ExtAuthzVerdict.Error, Reason = outcome.Reason, Status = provider.StatusOnError };
            default:
                Log.Denied(logger, provider.Name, context.Request.Method, context.Request.Path.Value ?? "/", outcome.Status);
                return outcome;
        }
    }

    private async Task<ExtAuthzOutcome> SendAsync(HttpContext context, ExtAuthzProviderModel provider, ReadOnlyMemory<byte>? body)
    {
        using var timeout = new CancellationTokenSource(provider.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
        try
        {
            return provider.Grpc
                ? await GrpcExtAuthzCheck.CheckAsync(provider, context, body, linked.Token)
                : await HttpExtAuthzCheck.CheckAsync(provider, context, body, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return ExtAuthzOutcome.Failed($"no answer within {provider.Timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or Grpc.Core.RpcException)
        {
            return ExtAuthzOutcome.Failed(ex.Message);
        }
    }

    private static void Apply(HttpContext context, ExtAuthzOutcome allowed)
    {
        var headers = context.Request.Headers;
        foreach (var name in allowed.UpstreamHeadersToRemove)
        {
            headers.Remove(name);
        }

        foreach (var (name, value, append) in allowed.UpstreamHeaders)
        {
            headers[name] = append && headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : new StringValues(value);
        }

        if (allowed.ClientHeaders.Count > 0)
        {
            context.Response.OnStarting(() =>
            {
                foreach (var (name, value) in allowed.ClientHeaders)
                {
                    context.Response.Headers[name] = value;
                }

                return Task.CompletedTask;
            });
        }
    }

    // The body up to the limit, left readable for the upstream; null when it is larger and partial messages are not allowed.
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, ExtAuthzBodySettings settings, CancellationToken cancellationToken)
    {
        var limit = settings.MaxRequestBytes > 0 ? settings.MaxRequestBytes : DefaultMaxRequestBytes;
        request.EnableBuffering();
        var buffer = new byte[Math.Min(limit + 1, request.ContentLength is { } length ? (int)Math.Min(length + 1, limit + 1) : limit + 1)];
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (count == 0)
            {
                break;
            }

            read += count;
        }

        request.Body.Position = 0;
        if (read > limit)
        {
            if (!settings.AllowPartialMessage)
            {
                return null;
            }

            read = limit;
        }

        return buffer.AsMemory(0, read);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "ext_authz {Provider} denied {Method} {Path}: {Status}.")]
        public static partial void Denied(ILogger logger, string provider, string method, string path, int status);

        [LoggerMessage(2, LogLevel.Warning, "ext_authz {Provider} failed ({Reason}); failOpen: the request continues.")]
        public static partial void FailedOpen(ILogger logger, string provider, string reason);

        [LoggerMessage(3, LogLevel.Warning, "ext_authz {Provider} failed ({Reason}); answering {Status}.")]
        public static partial void FailedClosed(ILogger logger, string provider, string reason, int status);

        [LoggerMessage(4, LogLevel.Warning, "ext_authz {Provider}: its service is not in the mesh; denied {Path}.")]
        public static partial void UnknownService(ILogger logger, string provider, string path);
    }
}
