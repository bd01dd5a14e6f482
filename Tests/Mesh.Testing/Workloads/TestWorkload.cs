using System.Globalization;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Testing.Backends;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Logging;
using Mesh.Testing.Proxy;

namespace Mesh.Testing.Workloads;

/// <summary>A workload of a test mesh: its app (a <see cref="TestBackend"/>, unless it only calls others) and its sidecar, wired as the Aspire hosting wires them.</summary>
public sealed class TestWorkload : IAsyncDisposable
{
    private TestWorkload(WorkloadSpec spec, string @namespace, TestBackend? app, ProxyHost sidecar)
    {
        Spec = spec;
        Namespace = @namespace;
        App = app;
        Sidecar = sidecar;
    }

    public WorkloadSpec Spec { get; }

    /// <summary>Workload name and node id.</summary>
    public string Name => Spec.WorkloadName;

    public string Namespace { get; }

    public string ServiceAccount => Spec.ServiceAccountName;

    public string SpiffeId => $"spiffe://cluster.local/ns/{Namespace}/sa/{ServiceAccount}";

    /// <summary>The app the sidecar fronts; null for a client-only workload or one given an <see cref="WorkloadSpec.AppPort"/>.</summary>
    public TestBackend? App { get; }

    public ProxyHost Sidecar { get; }

    public ListenerSet Listeners => Sidecar.Listeners;

    public IServiceProvider Services => Sidecar.Services;

    public int InboundPort => Sidecar.Port(ListenerKind.Inbound);

    public int AdminPort => Sidecar.AdminPort;

    public WorkloadIdentityState Identity => Sidecar.Identity;

    public ProxySnapshot? Snapshot => Sidecar.Snapshot;

    /// <param name="waitReady">Wait until the sidecar is ready (a snapshot and, with a CA, a certificate).</param>
    public static async Task<TestWorkload> StartAsync(TestControlPlane controlPlane, WorkloadSpec spec, string @namespace = "default", CapturedLogs? logs = null, bool waitReady = true)
    {
        @namespace = spec.Namespace ?? @namespace;
        var app = spec.WithApp && spec.AppPort is null ? await TestBackend.StartAsync(spec.WorkloadName, spec.Handler, spec.AppProtocols) : null;
        try
        {
            var settings = ProxySettings.Sidecar(controlPlane.GrpcUri.ToString(), spec.WorkloadName, spec.WorkloadName)
                .Identity(@namespace, spec.ServiceAccountName, ("app", spec.App), ("version", spec.Version))
                .Token(spec.Token ?? controlPlane.TokenFor(spec.ServiceAccountName, spec.WorkloadName, @namespace));
            if ((app?.Port ?? spec.AppPort) is { } appPort)
            {
                settings.Inbound(spec.App, "http", spec.ServicePort, appPort, spec.Protocol);
            }

            foreach (var upstream in spec.Upstreams)
            {
                settings.Outbound(upstream, spec.ServicePort, spec.Protocol);
            }

            if (spec.CertificateLifetime is { } lifetime)
            {
                settings.With("Mesh:Security:CertificateLifetime", lifetime.ToString("c", CultureInfo.InvariantCulture));
            }

            var sidecar = await ProxyHost.StartAsync(settings, spec.ConfigureServices, logs, spec.Clock);
            var workload = new TestWorkload(spec, @namespace, app, sidecar);
            if (waitReady)
            {
                await workload.WaitReadyAsync();
            }

            return workload;
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Where the app calls an upstream service through its sidecar.</summary>
    public Uri Outbound(string service, string pathAndQuery = "/") => Sidecar.Outbound(service, pathAndQuery);

    /// <summary>The sidecar's inbound listener, as another workload (or an attacker) reaches it.</summary>
    public Uri Inbound(string scheme = "http", string pathAndQuery = "/") => Sidecar.Inbound(scheme, pathAndQuery);

    public Task WaitReadyAsync() => Sidecar.WaitReadyAsync();

    public Task WaitForSnapshotAsync(string what, Func<ProxySnapshot, bool> condition) => Sidecar.WaitForSnapshotAsync(what, condition);

    /// <summary>Waits until the sidecar knows <paramref name="count"/> endpoints of <paramref name="service"/> (it registered with the control plane).</summary>
    public Task WaitForEndpointsAsync(string service, int count = 1) => Sidecar.WaitForEndpointsAsync(service, count, Namespace);

    /// <summary>Stops the workload: its sidecar disconnects, then its app.</summary>
    public async Task StopAsync()
    {
        await Sidecar.StopAsync();
        if (App is not null)
        {
            await App.StopAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
