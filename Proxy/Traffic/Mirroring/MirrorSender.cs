using Mesh.Proxy.Core.Routing;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Traffic.Mirroring;

/// <summary>
/// Sends mirrored copies fire-and-forget through the mirror cluster's own YARP client, round robin
/// over its available endpoints. Responses are read and discarded; failures are logged at Debug.
/// </summary>
internal sealed partial class MirrorSender(ILogger<MirrorSender> logger)
{
    /// <summary>Starts sending a copy; never throws (it runs inside the primary exchange's body read).</summary>
    internal void Send(MirrorRequest copy, ReadOnlyMemory<byte> body)
    {
        try
        {
            Start(copy, body);
        }
        catch (Exception ex)
        {
            Log.MirrorFailed(logger, copy.Cluster.Name, ex.Message);
            copy.Message.Dispose();
        }
    }

    private void Start(MirrorRequest copy, ReadOnlyMemory<byte> body)
    {
        var cluster = copy.Cluster;
        if (cluster.NextDestination() is not { } destination)
        {
            Log.NoEndpoint(logger, cluster.Name);
            copy.Message.Dispose();
            return;
        }

        var client = cluster.State.Model.HttpClient;
        var message = copy.Message;
        message.RequestUri = new Uri(destination.Model.Config.Address.TrimEnd('/') + copy.PathAndQuery);
        if (!body.IsEmpty || copy.ContentHeaders.Count > 0)
        {
            var content = new ReadOnlyMemoryContent(body);
            foreach (var (name, values) in copy.ContentHeaders)
            {
                content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }

            message.Content = content;
        }

        // Off the caller's path: the primary exchange never waits for the copy.
        _ = Task.Run(() => SendAsync(client, copy));
    }

    private async Task SendAsync(HttpMessageInvoker client, MirrorRequest copy)
    {
        using var timeout = new CancellationTokenSource(copy.Timeout);
        try
        {
            using var response = await client.SendAsync(copy.Message, timeout.Token);
            await response.Content.CopyToAsync(Stream.Null, timeout.Token);
            Log.Mirrored(logger, copy.Cluster.Name, (int)response.StatusCode);
        }
        catch (Exception ex)
        {
            // Fire and forget: whatever goes wrong with a copy stays with the copy.
            Log.MirrorFailed(logger, copy.Cluster.Name, ex.Message);
        }
        finally
        {
            copy.Message.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Mirror to {Cluster} answered {Status}; response discarded.")]
        public static partial void Mirrored(ILogger logger, string cluster, int status);

        [LoggerMessage(2, LogLevel.Debug, "Mirror to {Cluster} failed: {Reason}")]
        public static partial void MirrorFailed(ILogger logger, string cluster, string reason);

        [LoggerMessage(3, LogLevel.Debug, "Mirror cluster {Cluster} has no available endpoint; copy dropped.")]
        public static partial void NoEndpoint(ILogger logger, string cluster);
    }
}
