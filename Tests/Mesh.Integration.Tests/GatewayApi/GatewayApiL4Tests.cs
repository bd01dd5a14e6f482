using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Mesh.Integration.Tests.Infrastructure;
using Mesh.Integration.Tests.L4;

namespace Mesh.Integration.Tests.GatewayApi;

/// <summary>
/// TCPRoute and TLSRoute on the L4 data plane with the real control plane, a Gateway API Gateway's
/// proxy and tcp-echo behind sidecars (mesh mTLS): Istio's Gateway API files of the TCP
/// traffic-shifting task unchanged (80/20 by backendRef weights), a TLS Passthrough listener
/// routing by SNI to a workload that terminates TLS itself (its own certificate reaches the
/// client), a Terminate listener with the listener's certificate in front of TCP, a TCPRoute on a
/// Service (GAMMA), and the routes' and Gateway's status.
/// </summary>
public sealed class GatewayApiL4Tests
{
    [Fact]
    public async Task Istio_gateway_api_tcp_echo_files_route_all_to_v1_then_80_20()
    {
        await using var mesh = await TcpEchoMesh.StartAsync();
        await using var gateway = await MeshProxies.StartGatewayAsync("tcp-echo-gateway", "default", mesh.ControlPlane, 31400);
        var port = gateway.GatewayPort(31400);

        await mesh.ApplySampleAsync("tcp-echo/gateway-api/tcp-echo-all-v1.yaml", gateway.Id);
        await Poll.UntilAsync("the TCPRoute serving", async () => await TcpEchoMesh.EchoAsync(port, "ready") is not null);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"one {i}", await TcpEchoMesh.EchoAsync(port, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await mesh.ApplySampleAsync("tcp-echo/gateway-api/tcp-echo-20-v2.yaml", gateway.Id);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 200; i++)
        {
            var prefix = (await TcpEchoMesh.EchoAsync(port, "hello"))?.Split(' ')[0] ?? "refused";
            counts[prefix] = counts.GetValueOrDefault(prefix) + 1;
        }

        Assert.Equal(200, counts.GetValueOrDefault("one") + counts.GetValueOrDefault("two"));
        Assert.InRange(counts.GetValueOrDefault("two"), 20, 65);

        using var route = JsonDocument.Parse(await mesh.ControlPlane.Admin.GetStringAsync("/api/v1/config/tcproute/default/tcp-echo"));
        var parent = Assert.Single(route.RootElement.GetProperty("status").GetProperty("parents").EnumerateArray());
        Assert.Equal("tcp-31400", parent.GetProperty("parentRef").GetProperty("sectionName").GetString());
        var conditions = Conditions(parent);
        Assert.Equal(("True", "Accepted"), conditions["Accepted"]);
        Assert.Equal(("True", "ResolvedRefs"), conditions["ResolvedRefs"]);

        using var gatewayStatus = JsonDocument.Parse(await mesh.ControlPlane.Admin.GetStringAsync("/api/v1/config/gtw/default/tcp-echo-gateway"));
        var listener = Assert.Single(gatewayStatus.RootElement.GetProperty("status").GetProperty("listeners").EnumerateArray());
        Assert.Equal(1, listener.GetProperty("attachedRoutes").GetInt32());
        Assert.Equal(("True", "Programmed"), Conditions(listener)["Programmed"]);
        Assert.Equal(("True", "Programmed"), Conditions(gatewayStatus.RootElement.GetProperty("status"))["Programmed"]);
    }

    [Fact]
    public async Task Tls_passthrough_routes_by_sni_and_terminate_presents_the_listener_certificate()
    {
        await using var mesh = await TcpEchoMesh.StartAsync();
        using var secureCertificate = Certificate("secure.example.com");
        await using var secure = TlsLineEcho.Start("secure", secureCertificate);
        await using var secureSidecar = await MeshProxies.StartSidecarAsync(
            new SidecarSpec("secure-v1", "secure", "v1") { Ports = [new("tls", 8443, secure.Port, "TLS")] }, mesh.ControlPlane);

        // The Terminate listener's certificate: a Kubernetes TLS Secret's files in the credentials directory.
        using var dbCertificate = Certificate("db.example.com");
        var credential = Path.Combine(mesh.ControlPlane.DataDirectory, "credentials", "db-cert");
        Directory.CreateDirectory(credential);
        await File.WriteAllTextAsync(Path.Combine(credential, "tls.crt"), dbCertificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(credential, "tls.key"), dbCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        await using var gateway = await MeshProxies.StartGatewayAsync("tls-gateway", "default", mesh.ControlPlane, 8443, 9443);
        var generation = await mesh.ControlPlane.ApplyAsync("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: tls-gateway}
            spec:
              gatewayClassName: istio
              listeners:
              - {name: passthrough, port: 8443, protocol: TLS, hostname: "*.example.com", tls: {mode: Passthrough}}
              - {name: terminate, port: 9443, protocol: TLS, hostname: db.example.com, tls: {mode: Terminate, certificateRefs: [{name: db-cert}]}}
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: secure}
            spec:
              parentRefs: [{name: tls-gateway, sectionName: passthrough}]
              hostnames: [secure.example.com]
              rules: [{backendRefs: [{name: secure, port: 8443}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: db}
            spec:
              parentRefs: [{name: tls-gateway, sectionName: terminate}]
              rules: [{backendRefs: [{name: tcp-echo, port: 9000}]}]
            """);
        await mesh.ControlPlane.WaitForSyncedAtAsync(gateway.Id, generation);

        // Passthrough: the workload's own certificate reaches the client; the gateway only read the SNI.
        string? subject = null;
        await Poll.UntilAsync("the passthrough listener serving", async () => (subject = (await TryTlsLineAsync(gateway.GatewayPort(8443), "secure.example.com", "hi"))?.Subject) is not null);
        var passthrough = await TryTlsLineAsync(gateway.GatewayPort(8443), "secure.example.com", "hi");
        Assert.Equal(("CN=secure.example.com", "secure hi"), passthrough);

        // A name the listener admits but no TLSRoute serves is closed, not sent elsewhere.
        Assert.Null(await TryTlsLineAsync(gateway.GatewayPort(8443), "other.example.com", "hi"));

        // Terminate: the listener's certificate, then plain TCP to tcp-echo through its sidecar. The
        // credential files reach the gateway through the control plane's credential watcher, which
        // may publish them after the generation above: wait for the listener to serve, as above.
        (string Subject, string Line)? terminated = null;
        await Poll.UntilAsync("the terminate listener serving", async () => (terminated = await TryTlsLineAsync(gateway.GatewayPort(9443), "db.example.com", "select")) is not null);
        Assert.Equal("CN=db.example.com", terminated!.Value.Subject);
        Assert.Matches("^(one|two) select$", terminated.Value.Line);
    }

    [Fact]
    public async Task A_tcproute_on_a_service_routes_the_sidecars_connections_and_a_cross_namespace_backend_needs_a_reference_grant()
    {
        await using var mesh = await TcpEchoMesh.StartAsync();
        await using var gateway = await MeshProxies.StartGatewayAsync("tcp-echo-gateway", "default", mesh.ControlPlane, 31400);

        // GAMMA: the version Services (as Istio's gateway-api file declares them), and a TCPRoute whose parent is the tcp-echo Service.
        var generation = await mesh.ControlPlane.ApplyAsync("""
            apiVersion: v1
            kind: Service
            metadata: {name: tcp-echo-v1}
            spec:
              ports: [{port: 9000, name: tcp}]
              selector: {app: tcp-echo, version: v1}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: tcp-echo-v2}
            spec:
              ports: [{port: 9000, name: tcp}]
              selector: {app: tcp-echo, version: v2}
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: tcp-echo-mesh}
            spec:
              parentRefs: [{group: "", kind: Service, name: tcp-echo, port: 9000}]
              rules: [{backendRefs: [{name: tcp-echo-v2, port: 9000}]}]
            """);
        await mesh.ControlPlane.WaitForSyncedAtAsync(mesh.Client.Id, generation);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("two port 9000", await mesh.FromCurlAsync(9000));
        }

        // The other port of the Service keeps the default route (both versions).
        Assert.Matches("^(one|two) port 9001$", await mesh.FromCurlAsync(9001));

        // A TCPRoute in another namespace reaching tcp-echo-v1 in default: not without a ReferenceGrant.
        const string OtherNamespaceRoute = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: tcp-echo-gateway}
            spec:
              gatewayClassName: istio
              listeners:
              - {name: tcp-31400, protocol: TCP, port: 31400, allowedRoutes: {namespaces: {from: All}}}
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: tcp-echo, namespace: other}
            spec:
              parentRefs: [{name: tcp-echo-gateway, namespace: default}]
              rules: [{backendRefs: [{name: tcp-echo-v1, namespace: default, port: 9000}]}]
            """;
        generation = await mesh.ControlPlane.ApplyAsync(OtherNamespaceRoute);
        await mesh.ControlPlane.WaitForSyncedAtAsync(gateway.Id, generation);
        using (var route = JsonDocument.Parse(await mesh.ControlPlane.Admin.GetStringAsync("/api/v1/config/tcproute/other/tcp-echo")))
        {
            var parent = Assert.Single(route.RootElement.GetProperty("status").GetProperty("parents").EnumerateArray());
            Assert.Equal(("False", "RefNotPermitted"), Conditions(parent)["ResolvedRefs"]);
        }

        Assert.Null(await TcpEchoMesh.EchoAsync(gateway.GatewayPort(31400), "hello"));

        generation = await mesh.ControlPlane.ApplyAsync("""
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: tcp-from-other}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: TCPRoute, namespace: other}]
              to: [{group: "", kind: Service}]
            """);
        await mesh.ControlPlane.WaitForSyncedAtAsync(gateway.Id, generation);
        Assert.Equal("one hello", await TcpEchoMesh.EchoAsync(gateway.GatewayPort(31400), "hello"));
    }

    /// <summary>A self-signed server certificate for <paramref name="dnsName"/> (ECDSA P-256) with its key.</summary>
    private static X509Certificate2 Certificate(string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private static Dictionary<string, (string, string)> Conditions(JsonElement owner) =>
        owner.GetProperty("conditions").EnumerateArray().ToDictionary(
            c => c.GetProperty("type").GetString()!,
            c => (c.GetProperty("status").GetString()!, c.GetProperty("reason").GetString()!));

    /// <summary>One TLS connection with <paramref name="sni"/>: the server certificate's subject and the answer to a line, or null when it was refused.</summary>
    private static async Task<(string Subject, string Line)?> TryTlsLineAsync(int port, string sni, string line)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni, RemoteCertificateValidationCallback = (_, _, _, _) => true }, timeout.Token);
            var subject = tls.RemoteCertificate!.Subject;
            await tls.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), timeout.Token);
            using var reader = new StreamReader(tls, Encoding.UTF8);
            var answer = await reader.ReadLineAsync(timeout.Token);
            return answer is null ? null : (subject, answer);
        }
        catch (Exception ex) when (ex is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            return null;
        }
    }

    /// <summary>A workload that terminates TLS itself and answers each line with a prefix.</summary>
    private sealed class TlsLineEcho : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static TlsLineEcho Start(string prefix, X509Certificate2 certificate)
        {
            var echo = new TlsLineEcho();
            echo._listener.Start();
            echo._accepting = echo.AcceptAsync(prefix, certificate);
            return echo;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync(string prefix, X509Certificate2 certificate)
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using var _ = socket;
                    try
                    {
                        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, _stop.Token);
                        using var reader = new StreamReader(tls, Encoding.UTF8, leaveOpen: true);
                        var line = await reader.ReadLineAsync(_stop.Token);
                        await tls.WriteAsync(Encoding.UTF8.GetBytes($"{prefix} {line}\n"), _stop.Token);
                        await tls.ShutdownAsync();
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                    {
                    }
                });
            }
        }
    }
}
