using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Credentials;

/// <summary>
/// Named credentials (Istio's credentialName) from the control plane's credential directory:
/// resolved into the gateway's snapshot, pushed again when their files change, generated
/// self-signed for local development, and never shown by the admin API.
/// </summary>
public sealed class CredentialTests
{
    private const string GatewayYaml = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: shop-gateway
        spec:
          selector:
            istio: ingressgateway
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["shop.example.com"]
            tls: {mode: SIMPLE, credentialName: shop-credential}
          - port: {number: 8443, name: mtls, protocol: HTTPS}
            hosts: ["partner.example.com"]
            tls: {mode: MUTUAL, credentialName: partner-credential}
        """;

    [Fact]
    public async Task Credential_files_reach_the_gateway_and_replacing_them_pushes_the_new_certificate()
    {
        var options = new TestControlPlaneOptions();
        var first = WriteCredential(options.DataDirectory, "shop-credential", ("tls.crt", "tls.key", null), "shop.example.com");
        WriteCredential(options.DataDirectory, "partner-credential", ("cert", "key", null), "partner.example.com");
        var partnerCa = CertificatePem(CreateSelfSigned("partner-ca"));
        WriteFile(Path.Combine(options.DataDirectory, "credentials", "partner-credential-cacert", "ca.crt"), partnerCa);
        await using var controlPlane = await TestControlPlane.StartAsync(options);
        controlPlane.WriteConfigFile("gateway.yaml", GatewayYaml);
        await using var gateway = await controlPlane.Proxy("ingressgateway", Gateway).ConnectAsync();

        var snapshot = await gateway.NextWhereAsync(s => s.GatewayServers.Count == 2);
        var shop = snapshot.GatewayServers.Single(s => s.Port == 443).Tls;
        Assert.Equal(first.CertificatePem, shop.ServerCertificatePem);
        Assert.Equal(first.KeyPem, shop.PrivateKeyPem);
        var partner = snapshot.GatewayServers.Single(s => s.Port == 8443).Tls;
        Assert.Contains("BEGIN CERTIFICATE", partner.ServerCertificatePem, StringComparison.Ordinal); // generic secret names: cert/key
        Assert.Equal(partnerCa, partner.CaCertificatesPem); // Istio's <name>-cacert companion

        var second = WriteCredential(options.DataDirectory, "shop-credential", ("tls.crt", "tls.key", null), "shop.example.com");
        await gateway.AckAsync(snapshot.Version);
        var renewed = await gateway.NextWhereAsync(s => s.GatewayServers.Single(g => g.Port == 443).Tls.ServerCertificatePem == second.CertificatePem);
        Assert.Equal(second.KeyPem, renewed.GatewayServers.Single(g => g.Port == 443).Tls.PrivateKeyPem);
    }

    [Fact]
    public async Task The_admin_api_never_shows_private_keys()
    {
        var options = new TestControlPlaneOptions();
        WriteCredential(options.DataDirectory, "shop-credential", ("tls.crt", "tls.key", null), "shop.example.com");
        await using var controlPlane = await TestControlPlane.StartAsync(options);
        controlPlane.WriteConfigFile("gateway.yaml", GatewayYaml);
        await using var gateway = await controlPlane.Proxy("ingressgateway", Gateway).ConnectAsync();
        var snapshot = await gateway.NextWhereAsync(s => s.GatewayServers.Any(g => g.Tls.PrivateKeyPem.Length > 0));
        await gateway.AckAsync(snapshot.Version);

        var config = await controlPlane.Admin.GetStringAsync("/api/v1/proxies/ingressgateway/config");

        Assert.Contains("BEGIN CERTIFICATE", config, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", config, StringComparison.Ordinal);
        Assert.Contains(SnapshotRedaction.Redacted, config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_credential_is_generated_self_signed_for_simple_servers_only_when_enabled_and_kept_across_restarts()
    {
        var options = new TestControlPlaneOptions
        {
            Settings = new Dictionary<string, string?> { ["ControlPlane:Credentials:GenerateSelfSigned"] = "true" },
        };
        await using var controlPlane = await TestControlPlane.StartAsync(options);
        controlPlane.WriteConfigFile("gateway.yaml", GatewayYaml);
        await using var gateway = await controlPlane.Proxy("ingressgateway", Gateway).ConnectAsync();

        var snapshot = await gateway.NextWhereAsync(s => s.GatewayServers.Any(g => g.Port == 443 && g.Tls.ServerCertificatePem.Length > 0));
        var shop = snapshot.GatewayServers.Single(s => s.Port == 443).Tls;
        using var certificate = X509Certificate2.CreateFromPem(shop.ServerCertificatePem, shop.PrivateKeyPem);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost", "shop.example.com"], names.EnumerateDnsNames().Order());
        Assert.Contains(System.Net.IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Equal("", snapshot.GatewayServers.Single(s => s.Port == 8443).Tls.ServerCertificatePem); // MUTUAL: never generated

        var directory = Path.Combine(options.DataDirectory, "credentials", "shop-credential");
        Assert.True(File.Exists(Path.Combine(directory, GatewayCredentialProvisioner.GeneratedMarker)));
        Assert.False(Directory.Exists(Path.Combine(options.DataDirectory, "credentials", "partner-credential")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "tls.key")));
        }

        await gateway.DisposeAsync();
        await using var restarted = await controlPlane.RestartAsync();
        await using var again = await restarted.Proxy("ingressgateway", Gateway).ConnectAsync();
        var after = await again.NextWhereAsync(s => s.GatewayServers.Any(g => g.Port == 443 && g.Tls.ServerCertificatePem.Length > 0));
        Assert.Equal(shop.ServerCertificatePem, after.GatewayServers.Single(s => s.Port == 443).Tls.ServerCertificatePem);
    }

    [Fact]
    public async Task Without_generation_a_missing_credential_leaves_the_server_without_certificate()
    {
        var options = new TestControlPlaneOptions();
        await using var controlPlane = await TestControlPlane.StartAsync(options);
        controlPlane.WriteConfigFile("gateway.yaml", GatewayYaml);
        await using var gateway = await controlPlane.Proxy("ingressgateway", Gateway).ConnectAsync();

        var snapshot = await gateway.NextWhereAsync(s => s.GatewayServers.Count == 2);

        Assert.All(snapshot.GatewayServers, s => Assert.Equal("", s.Tls.ServerCertificatePem));
        Assert.Equal("shop-credential", snapshot.GatewayServers.Single(s => s.Port == 443).Tls.CredentialName);
        Assert.False(Directory.Exists(Path.Combine(options.DataDirectory, "credentials", "shop-credential")));
    }

    [Theory]
    [InlineData("bookinfo-credential", "bookinfo-credential")]
    [InlineData("kubernetes://httpbin-credential", "httpbin-credential")]
    [InlineData("a.b-c", "a.b-c")]
    [InlineData("../ca", null)]
    [InlineData("ns/name", null)]
    [InlineData("Upper", null)]
    [InlineData("..data", null)]
    [InlineData("", null)]
    public void Credential_names_are_secret_names_and_never_paths(string credentialName, string? expected)
    {
        Assert.Equal(expected, CredentialNames.Normalize(credentialName));
    }

    private static void Gateway(Node node)
    {
        node.Mode = ProxyMode.Gateway;
        node.Labels.Clear();
        node.Labels["istio"] = "ingressgateway";
    }

    private static (string CertificatePem, string KeyPem) WriteCredential(string dataDirectory, string name, (string Cert, string Key, string? Ca) files, string host)
    {
        using var certificate = CreateSelfSigned(host);
        var pem = (CertificatePem(certificate), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        var directory = Path.Combine(dataDirectory, "credentials", name);
        WriteFile(Path.Combine(directory, files.Key), pem.Item2);
        WriteFile(Path.Combine(directory, files.Cert), pem.Item1);
        return pem;
    }

    private static X509Certificate2 CreateSelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static string CertificatePem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    private static void WriteFile(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
