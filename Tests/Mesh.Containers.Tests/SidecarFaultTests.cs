using System.Security.Cryptography;
using System.Text;
using Mesh.Containers.Tests.Docker;
using Mesh.Containers.Tests.Pods;
using Mesh.Testing;

namespace Mesh.Containers.Tests;

/// <summary>
/// The faults, on the published details pod: a sidecar whose control plane is not
/// reachable stays not ready (so the kubelet holds the app and the Service keeps the pod out) and
/// keeps retrying until one appears; a sidecar with a wrong bootstrap token is refused, logged on
/// both sides, and never ready.
/// </summary>
public sealed class SidecarFaultTests(PublishedBookinfo bookinfo) : IClassFixture<PublishedBookinfo>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [DockerFact]
    public async Task A_sidecar_without_a_reachable_control_plane_stays_not_ready_and_retries_until_one_appears()
    {
        await using var cluster = await DockerCluster.CreateAsync();
        var published = bookinfo.Workloads["details"];
        var details = await cluster.StartAsync(published, bookinfo.TokenFor(published));

        // At least two failed attempts: it retries rather than giving up or exiting.
        await Poll.UntilAsync("two failed connection attempts in the sidecar's log", async () => Count(await SidecarLogAsync(details), "Control plane stream to") >= 2,
            () => cluster.LogsAsync().GetAwaiter().GetResult(), Patience);
        Assert.Equal(503, await Kubelet.ProbeAsync(details, details.SidecarSpec!.StartupProbe));
        Assert.Equal(503, await Kubelet.ProbeAsync(details, details.SidecarSpec!.ReadinessProbe));

        // The control plane appears (the Service name resolves from now on): the next retry connects.
        await bookinfo.StartControlPlaneAsync(cluster);
        await Kubelet.WaitAsync(details, details.SidecarSpec!.StartupProbe, "sidecar started once the control plane is up", cluster.LogsAsync, Patience);
    }

    [DockerFact]
    public async Task A_sidecar_with_a_wrong_bootstrap_token_is_refused_logged_and_not_ready()
    {
        await using var cluster = await DockerCluster.CreateAsync();
        var controlPlane = await bookinfo.StartControlPlaneAsync(cluster);
        await Kubelet.WaitAsync(controlPlane, controlPlane.AppSpec.ReadinessProbe, "control plane ready", cluster.LogsAsync, Patience);
        var published = bookinfo.Workloads["details"];
        var details = await cluster.StartAsync(published, SignedWithAnotherKey(bookinfo.TokenFor(published)));

        await Poll.UntilAsync("the control plane refuses the proxy's stream", async () => (await LogAsync(controlPlane.App)).Contains($"Refused the discovery stream of proxy {details.Name}", StringComparison.Ordinal),
            () => cluster.LogsAsync().GetAwaiter().GetResult(), Patience);
        await Poll.UntilAsync("the sidecar logs the refusal", async () => Count(await SidecarLogAsync(details), "Control plane stream to") >= 1,
            () => cluster.LogsAsync().GetAwaiter().GetResult(), Patience);
        Assert.Equal(503, await Kubelet.ProbeAsync(details, details.SidecarSpec!.ReadinessProbe));
    }

    // The same claims, signed with a key the control plane does not have.
    private static string SignedWithAnotherKey(string token)
    {
        var parts = token.Split('.');
        var signature = HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        return $"{parts[0]}.{parts[1]}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
    }

    private static Task<string> SidecarLogAsync(DockerPod pod) => LogAsync(pod.Sidecar!);

    private static async Task<string> LogAsync(DotNet.Testcontainers.Containers.IContainer container)
    {
        var (stdout, stderr) = await container.GetLogsAsync();
        return stdout + stderr;
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
