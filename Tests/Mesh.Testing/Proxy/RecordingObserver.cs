using System.Collections.Concurrent;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Testing.Proxy;

/// <summary>Records what the proxy concluded about each request (as telemetry will read it).</summary>
public sealed class RecordingObserver : IMeshRequestObserver
{
    public sealed record Completed(string Path, int Status, ResponseFlags Flags, string FlagsText, int Attempts, string? Route, string? Cluster, string? VirtualHost, string? Passthrough);

    public ConcurrentQueue<Completed> Requests { get; } = new();

    public void OnRequestCompleted(HttpContext context, RoutingResult request)
        => Requests.Enqueue(new Completed(
            context.Request.Path.Value ?? string.Empty,
            context.Response.StatusCode,
            request.Flags,
            request.FlagsText,
            request.Attempts,
            request.Route?.Name,
            request.Cluster?.Name,
            request.VirtualHost?.Name,
            request.PassthroughAuthority));

    /// <summary>The completion record of the request with this path (waits for it: it is written as the request ends).</summary>
    public async Task<Completed> ForPathAsync(string path)
    {
        return await Poll.ForAsync($"the completion record of {path}", () => Task.FromResult(Requests.LastOrDefault(r => r.Path == path)));
    }
}
