using System.Globalization;
using DotNet.Testcontainers.Containers;
using k8s.Models;
using Mesh.Testing;

namespace Mesh.Containers.Tests.Pods;

/// <summary>
/// The kubelet's part: runs a container's published probes (httpGet on the pod IP, as the kubelet
/// does from the node) and reads what a container listens on. A probe passes with a 2xx/3xx status.
/// </summary>
internal static class Kubelet
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<int> ProbeAsync(DockerPod pod, V1Probe probe)
    {
        var get = probe.HttpGet ?? throw new InvalidOperationException($"{pod.Name}: only httpGet probes are published for the mesh's containers");
        return await StatusAsync(pod.Url(int.Parse(get.Port.Value, CultureInfo.InvariantCulture), get.Path));
    }

    public static async Task<int> StatusAsync(Uri uri)
    {
        try
        {
            using var response = await Client.GetAsync(uri);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException)
        {
            return 0;
        }
    }

    public static bool Passes(int status) => status is >= 200 and < 400;

    /// <summary>Waits until the probe passes; the containers' logs explain a failure.</summary>
    public static Task WaitAsync(DockerPod pod, V1Probe probe, string what, Func<Task<string>> logs, TimeSpan budget)
    {
        var last = 0;
        return Poll.UntilAsync(
            $"{pod.Name}: {what} ({probe.HttpGet.Path} on {probe.HttpGet.Port.Value})",
            async () => Passes(last = await ProbeAsync(pod, probe)),
            () => $"last status {last}\n{logs().GetAwaiter().GetResult()}",
            budget);
    }

    /// <summary>The TCP ports a container's network namespace listens on, with their addresses (from /proc/net/tcp and tcp6).</summary>
    public static async Task<IReadOnlyList<(string Address, int Port)>> ListeningAsync(IContainer container)
    {
        var result = await container.ExecAsync(["cat", "/proc/net/tcp", "/proc/net/tcp6"]);
        var listening = new List<(string, int)>();
        foreach (var line in result.Stdout.Split('\n').Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3 && fields[3] == "0A" && fields[1].Split(':') is [var address, var port])
            {
                listening.Add((address, int.Parse(port, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }

        return listening;
    }

    /// <summary>Whether a /proc/net/tcp address is loopback (127.0.0.1 as little-endian hex, or ::1).</summary>
    public static bool IsLoopback(string address) =>
        address is "0100007F" or "00000000000000000000000001000000";
}
