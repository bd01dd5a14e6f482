using Mesh.Contracts.Snapshots;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>One test's world: a fake control plane, backends and proxies, all disposed together.</summary>
public sealed class MeshTestBed : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private MeshTestBed(FakeDiscoveryServer controlPlane)
    {
        ControlPlane = controlPlane;
    }

    public FakeDiscoveryServer ControlPlane { get; }

    public HttpClient Client { get; } = TestHttp.CreateClient();

    public static async Task<MeshTestBed> StartAsync() => new(await FakeDiscoveryServer.StartAsync());

    public async Task<TestBackend> BackendAsync(string name, Func<HttpContext, Task>? handler = null, HttpProtocols protocols = HttpProtocols.Http1)
    {
        var backend = await TestBackend.StartAsync(name, handler, protocols);
        _owned.Add(backend);
        return backend;
    }

    /// <param name="clock">A <see cref="TestClock"/> puts the proxy's timeouts, fault delays, back-off and outlier ejection on a fake clock.</param>
    public async Task<ProxyHost> ProxyAsync(ProxySettings settings, Action<IServiceCollection>? configureServices = null, TimeProvider? clock = null)
    {
        var proxy = await ProxyHost.StartAsync(settings, configureServices, clock: clock);
        _owned.Add(proxy);
        return proxy;
    }

    /// <summary>Pushes a snapshot and waits until the proxy (or every proxy) acknowledged it.</summary>
    public async Task ApplyAsync(ProxySnapshot snapshot, params string[] nodeIds)
    {
        ControlPlane.Push(snapshot);
        if (nodeIds.Length == 0)
        {
            await ControlPlane.WaitForAckAsync(snapshot.Version);
            return;
        }

        foreach (var node in nodeIds)
        {
            await ControlPlane.WaitForAckAsync(snapshot.Version, node);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await ControlPlane.DisposeAsync();
    }
}
