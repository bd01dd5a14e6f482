using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// Gateway credentials from Secrets in Kubernetes mode: a TLS Secret in a gateway namespace is
/// served as its <c>credentialName</c>, follows renewals, and disappears when deleted.
/// </summary>
public sealed class CredentialSecretMirrorTests
{
    // A polling budget, not a timing goal: the control plane starts and lists under a loaded CI machine.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_tls_secret_in_the_gateway_namespace_is_served_renewed_and_removed()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        var first = TlsSecret("first.example.com");
        api.AddSecret("bookinfo", "bookinfo-credential", first, "kubernetes.io/tls");
        api.AddSecret("elsewhere", "other-credential", TlsSecret("other.example.com"), "kubernetes.io/tls");
        api.AddSecret("bookinfo", "not-tls", new Dictionary<string, byte[]> { ["password"] = "secret"u8.ToArray() });
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api, "--ControlPlane:Kubernetes:CredentialNamespaces:0=bookinfo");
        var store = controlPlane.App.Services.GetRequiredService<CredentialStore>();

        var served = await Poll.ForAsync("the Secret is mirrored", () => store.Current, c => c.Credentials.ContainsKey("bookinfo-credential"));
        Assert.Equal(Encoding.UTF8.GetString(first["tls.crt"]), served.Credentials["bookinfo-credential"].Certificate);
        Assert.Equal(Encoding.UTF8.GetString(first["tls.key"]), served.Credentials["bookinfo-credential"].PrivateKey);
        Assert.Equal("bookinfo-credential", Assert.Single(served.Credentials).Key);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(store.PathOf("bookinfo-credential"), "tls.key")));
        }

        var renewed = TlsSecret("renewed.example.com");
        api.AddSecret("bookinfo", "bookinfo-credential", renewed, "kubernetes.io/tls");
        await Poll.ForAsync("the renewed Secret replaces the served certificate", () => store.Current, c => c.Credentials.TryGetValue("bookinfo-credential", out var files) && files.Certificate == Encoding.UTF8.GetString(renewed["tls.crt"]));

        api.DeleteSecret("bookinfo", "bookinfo-credential");
        await Poll.ForAsync("the deleted Secret is no longer served", () => store.Current, c => c.Credentials.Count == 0);
        Assert.False(Directory.Exists(store.PathOf("bookinfo-credential")));
    }

    [Fact]
    public async Task A_credential_that_did_not_come_from_kubernetes_is_left_alone()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.AddSecret("bookinfo", "local", TlsSecret("secret.example.com"), "kubernetes.io/tls");
        api.AddSecret("bookinfo", "mirrored", TlsSecret("mirrored.example.com"), "kubernetes.io/tls");

        // A credential directory placed by the operator before the control plane starts.
        var data = Path.Combine(Path.GetTempPath(), "mesh-credentials-" + Guid.NewGuid().ToString("N"));
        var local = TlsSecret("local.example.com");
        Directory.CreateDirectory(Path.Combine(data, "local"));
        File.WriteAllBytes(Path.Combine(data, "local", "tls.crt"), local["tls.crt"]);
        File.WriteAllBytes(Path.Combine(data, "local", "tls.key"), local["tls.key"]);
        try
        {
            await using var controlPlane = await KubernetesControlPlane.StartAsync(
                api, "--ControlPlane:Kubernetes:CredentialNamespaces:0=bookinfo", $"--ControlPlane:Credentials:Directory={data}");
            var store = controlPlane.App.Services.GetRequiredService<CredentialStore>();

            var served = await Poll.ForAsync("the other Secret is mirrored", () => store.Current, c => c.Credentials.ContainsKey("mirrored"));
            Assert.Equal(Encoding.UTF8.GetString(local["tls.crt"]), served.Credentials["local"].Certificate);

            api.DeleteSecret("bookinfo", "local");
            api.DeleteSecret("bookinfo", "mirrored");
            await Poll.ForAsync("the mirrored Secret is removed", () => store.Current, c => !c.Credentials.ContainsKey("mirrored"));
            Assert.True(File.Exists(Path.Combine(data, "local", "tls.crt")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static Dictionary<string, byte[]> TlsSecret(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return new Dictionary<string, byte[]>
        {
            ["tls.crt"] = Encoding.UTF8.GetBytes(certificate.ExportCertificatePem()),
            ["tls.key"] = Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem()),
        };
    }
}
