using System.Text;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Http;
using Mesh.Testing.Logging;
using Mesh.Testing.Proxy;
using Microsoft.AspNetCore.Http;

namespace Mesh.Testing.Workloads;

/// <summary>
/// One test's mesh, disposed together: the real control plane (a CA with a bootstrap key, so the
/// workloads talk mTLS) and workloads, each an app with a real sidecar, plus gateways. Everything
/// the proxies and the control plane log goes to <see cref="Logs"/>.
/// </summary>
public sealed class TestMesh : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<string, TestWorkload> _workloads = new(StringComparer.Ordinal);

    private TestMesh(TestControlPlane controlPlane, string @namespace, CapturedLogs logs)
    {
        ControlPlane = controlPlane;
        Namespace = @namespace;
        Logs = logs;
    }

    public TestControlPlane ControlPlane { get; private set; }

    /// <summary>The namespace workloads join unless their spec says otherwise.</summary>
    public string Namespace { get; }

    public CapturedLogs Logs { get; }

    /// <summary>A plain client, as an app or a user outside the mesh calls.</summary>
    public HttpClient Client { get; } = TestHttp.CreateClient();

    public IReadOnlyDictionary<string, TestWorkload> Workloads => _workloads;

    public TestWorkload this[string workload] => _workloads[workload];

    /// <summary>Ids of every sidecar and gateway of this mesh.</summary>
    public IReadOnlyCollection<string> ProxyIds => [.. _workloads.Keys, .. Gateways.Select(g => g.Id)];

    public List<ProxyHost> Gateways { get; } = [];

    /// <param name="options">The control plane; by default one with a bootstrap key (mTLS) and <paramref name="namespace"/> as its default namespace.</param>
    /// <param name="namespace">"default", or a namespace of the test's own (<see cref="UniqueNamespace"/>) when process-wide telemetry must tell tests apart.</param>
    public static async Task<TestMesh> StartAsync(TestControlPlaneOptions? options = null, string @namespace = "default", CapturedLogs? logs = null)
    {
        logs ??= new CapturedLogs();
        options ??= new TestControlPlaneOptions { BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey };
        options = options with
        {
            Logs = options.Logs ?? logs,
            Settings = new Dictionary<string, string?>(options.Settings) { ["ControlPlane:DefaultNamespace"] = @namespace },
        };
        return new TestMesh(await TestControlPlane.StartAsync(options), @namespace, logs);
    }

    /// <summary>A namespace no other test uses: "t" and ten hex digits.</summary>
    public static string UniqueNamespace() => $"t{Guid.NewGuid().ToString("N")[..10]}";

    /// <summary>Starts a workload (its app unless it only calls others, and its sidecar).</summary>
    /// <param name="waitReady">Wait until its sidecar is ready (a snapshot and a certificate).</param>
    public async Task<TestWorkload> WorkloadAsync(WorkloadSpec spec, bool waitReady = true)
    {
        var workload = await TestWorkload.StartAsync(ControlPlane, spec, Namespace, Logs, waitReady);
        _owned.Add(workload);
        _workloads[workload.Name] = workload;
        return workload;
    }

    /// <summary>Starts a workload whose app answers with <paramref name="handler"/>.</summary>
    public Task<TestWorkload> WorkloadAsync(WorkloadSpec spec, Func<HttpContext, Task> handler) => WorkloadAsync(spec with { Handler = handler });

    /// <summary>Stops a workload (its sidecar disconnects, then its app), as a scale-down does.</summary>
    public async Task StopWorkloadAsync(string name)
    {
        var workload = _workloads[name];
        _workloads.Remove(name);
        await workload.StopAsync();
    }

    /// <summary>An ingress gateway (labels istio=ingressgateway) with a listener per Gateway port (80 by default).</summary>
    public async Task<ProxyHost> GatewayAsync(string name = IngressGateway.Name, params int[] servicePorts)
    {
        var gateway = await IngressGateway.StartAsync(ControlPlane, name, Namespace, Logs, servicePorts);
        _owned.Add(gateway);
        Gateways.Add(gateway);
        return gateway;
    }

    /// <summary>Applies Istio YAML (<c>{ns}</c> becomes the mesh's namespace) and waits until every proxy of the mesh serves it.</summary>
    public async Task<long> ApplyAsync(string yaml)
    {
        var generation = await ControlPlane.ApplyAsync(yaml.Replace("{ns}", Namespace, StringComparison.Ordinal));
        await WaitForSyncAsync(generation);
        return generation;
    }

    /// <summary>Waits until every proxy of the mesh is SYNCED with config generation <paramref name="generation"/> or later.</summary>
    public async Task WaitForSyncAsync(long generation = 0)
    {
        IReadOnlyList<ProxyStatus> last = [];
        var ids = ProxyIds;
        await Poll.UntilAsync(
            $"{string.Join(", ", ids)} SYNCED at generation {generation}",
            async () =>
            {
                last = [.. (await ControlPlane.ProxiesAsync()).Where(p => ids.Contains(p.Id))];
                return last.Count == ids.Count && last.All(p => p.Status == "SYNCED" && p.ConfigGeneration >= generation);
            },
            () => $"{string.Join(", ", last)}; logged problems: {Logs.Problems()}");
    }

    /// <summary>Sends a request through workload <paramref name="from"/>'s outbound listener for <paramref name="service"/>, as its app would; the body is buffered.</summary>
    public async Task<HttpResponseMessage> CallAsync(string from, string service, string path = "/", Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _workloads[from].Outbound(service, path));
        configure?.Invoke(request);
        var response = await Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>Stops the control plane; proxies keep serving their last snapshot and retry.</summary>
    public Task StopControlPlaneAsync() => ControlPlane.StopAsync();

    /// <summary>Starts the control plane again on the same directories and discovery port.</summary>
    public async Task StartControlPlaneAgainAsync() => ControlPlane = await ControlPlane.RestartAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await ControlPlane.DisposeAsync();
    }

    /// <summary>A YAML document list, for <see cref="ApplyAsync"/>.</summary>
    public static string Documents(params string[] documents) =>
        new StringBuilder().AppendJoin("---\n", documents).ToString();
}
