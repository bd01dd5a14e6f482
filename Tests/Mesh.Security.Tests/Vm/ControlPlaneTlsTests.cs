using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Mesh.ControlPlane.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Security.Tests.Infrastructure;
using Mesh.Testing.Logging;

namespace Mesh.Security.Tests.Vm;

/// <summary>
/// The control plane's TLS discovery/CA listener (<c>ControlPlane:DiscoveryTls:Port</c>, Istio's 15012):
/// its certificate comes from the mesh CA and names istiod; a proxy given an https address verifies it
/// against the root it was given (a VM's root-cert.pem), also through the east-west gateway, which
/// forwards the TLS as it is; a proxy with another root refuses it; and the bootstrap token is never
/// sent to a server that was not verified.
/// </summary>
public sealed class ControlPlaneTlsTests : IAsyncLifetime
{
    /// <summary>Istio's expose-istiod, as the repository ships it (docs/vm.md §5).</summary>
    private static readonly string ExposeControlPlane = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "samples", "multicluster", "expose-istiod.yaml"));

    private readonly Mesh.Testing.TemporaryDirectory _files = new();
    private TestControlPlane _controlPlane = null!;
    private string _meshRoot = null!;

    public async Task InitializeAsync()
    {
        _controlPlane = await SecureMesh.StartControlPlaneAsync(new Dictionary<string, string?>
        {
            ["ControlPlane:Network"] = "net-a",
            ["ControlPlane:DiscoveryTls:Port"] = "0",
        });
        _meshRoot = Path.Combine(_files.Path, "root-cert.pem");
        await File.WriteAllTextAsync(_meshRoot, string.Concat(_controlPlane.Service<MeshCertificateAuthority>().TrustBundle));
    }

    public async Task DisposeAsync()
    {
        await _controlPlane.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task A_proxy_bootstraps_over_tls_through_the_east_west_gateway()
    {
        var gateway = ProxySettings.Gateway(_controlPlane.GrpcUri.ToString(), "istio-eastwestgateway", "istio-eastwestgateway")
            .Identity("istio-system", "istio-eastwestgateway-service-account", ("istio", "eastwestgateway"), ("topology.istio.io/network", "net-a"))
            .Token(_controlPlane.TokenFor("istio-eastwestgateway-service-account", "istio-eastwestgateway", "istio-system"))
            .GatewayListener(15012);
        await using var eastWest = await ProxyHost.StartAsync(gateway);
        await _controlPlane.ApplyAsync(ExposeControlPlane);
        // The control plane as a mesh service now has its TLS listener as endpoint.
        await eastWest.WaitForSnapshotAsync("the istiod route to the TLS listener", s => s.Clusters.Any(c =>
            c.Name == "outbound|15012||istiod.istio-system.svc.cluster.local" && c.Endpoints.Count == 1 && c.Endpoints[0].Port != (uint)_controlPlane.GrpcUri.Port));

        await using var vm = await ProxyHost.StartAsync(Vm($"https://127.0.0.1:{eastWest.Port(ListenerKind.Gateway)}", "details-vm-tls", _meshRoot));
        await vm.WaitReadyAsync();

        Assert.Equal("spiffe://cluster.local/ns/default/sa/details-vm", vm.Identity.Certificate?.Identity.Uri);
        Assert.Contains(await _controlPlane.ProxiesAsync(), p => p.Id == "details-vm-tls");
    }

    [Fact]
    public async Task A_proxy_with_another_root_refuses_the_control_plane()
    {
        using var foreignCa = TestCertificates.CreateCa("CN=not the mesh");
        var foreignRoot = Path.Combine(_files.Path, "foreign-root.pem");
        await File.WriteAllTextAsync(foreignRoot, TestCertificates.CertificatePem(foreignCa));
        var tls = _controlPlane.Service<Mesh.ControlPlane.Hosting.ControlPlaneListeners>().SecureGrpcUri!;
        using var logs = new CapturedLogs(Microsoft.Extensions.Logging.LogLevel.Debug);

        await using var vm = await ProxyHost.StartAsync(Vm(tls.ToString(), "details-vm-foreign", foreignRoot), logs: logs);
        await Poll.UntilAsync("the proxy gives up on the unverified control plane", () =>
            logs.Entries.Any(e => e.Message.Contains(tls.Authority, StringComparison.Ordinal) && e.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase)), () => logs.Problems());

        Assert.DoesNotContain(await _controlPlane.ProxiesAsync(), p => p.Id == "details-vm-foreign");
        Assert.Null(vm.Identity.Certificate);
        Assert.Null(vm.Snapshot);

        // The same proxy with the mesh's root is admitted: the refusal was the root's doing.
        await using var admitted = await ProxyHost.StartAsync(Vm(tls.ToString(), "details-vm-mesh-root", _meshRoot));
        await admitted.WaitReadyAsync();
    }

    [Fact]
    public async Task The_token_is_never_sent_before_the_server_is_verified()
    {
        // A server with a certificate for istiod's name from another CA: it records every byte it gets after a handshake.
        using var foreignCa = TestCertificates.CreateCa("CN=impostor");
        using var impostorCertificate = TestCertificates.Server(foreignCa, "istiod.istio-system.svc");
        await using var impostor = await Impostor.StartAsync(impostorCertificate);

        await using var vm = await ProxyHost.StartAsync(Vm($"https://127.0.0.1:{impostor.Port}", "details-vm-impostor", _meshRoot));
        await Poll.UntilAsync("the proxy tried the impostor and hung up twice (discovery or CA)", () => impostor.Closed >= 2);

        // The TLS handshake may complete on the server's side (the client checks the certificate at its
        // end of it), but the client then hangs up: not one byte of HTTP/2 (preface, headers, token) arrives.
        Assert.Equal(0, impostor.BytesAfterHandshake);
        Assert.Null(vm.Identity.Certificate);
    }

    private ProxySettings Vm(string controlPlane, string nodeId, string rootCertFile) =>
        ProxySettings.Sidecar(controlPlane, nodeId, nodeId)
            .Identity("default", "details-vm", ("app", "details"), ("version", "vm"))
            .With("Mesh:Node:Network", "net-b")
            .With("Mesh:ControlPlane:RootCertFile", rootCertFile)
            .Token(_controlPlane.TokenFor("details-vm", nodeId));

    /// <summary>A TLS server that counts the connections it finished with and the bytes that followed a handshake.</summary>
    private sealed class Impostor : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<Task> _connections = [];
        private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate;
        private Task _accepting = Task.CompletedTask;
        private int _closed;
        private long _bytes;

        private Impostor(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) => _certificate = certificate;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Closed => Volatile.Read(ref _closed);

        public long BytesAfterHandshake => Interlocked.Read(ref _bytes);

        public static Task<Impostor> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
        {
            var impostor = new Impostor(certificate);
            impostor._listener.Start();
            impostor._accepting = impostor.AcceptAsync();
            return Task.FromResult(impostor);
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                _connections.Add(ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                await using var tls = new SslStream(client.GetStream());
                try
                {
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = _certificate,
                        ApplicationProtocols = [SslApplicationProtocol.Http2],
                    }, _stop.Token);
                    var buffer = new byte[4096];
                    int read;
                    while ((read = await tls.ReadAsync(buffer, _stop.Token)) > 0)
                    {
                        Interlocked.Add(ref _bytes, read);
                    }
                }
                catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
                {
                    // The client refused the certificate (or the test ended).
                }

                Interlocked.Increment(ref _closed);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            await Task.WhenAll(_connections);
            _stop.Dispose();
        }
    }
}
