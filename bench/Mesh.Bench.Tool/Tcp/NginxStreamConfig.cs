using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>
/// Renders bench/configs/nginx-stream.conf for one nginx of a TCP reference path: plain, the TLS
/// client side (plaintext in, mutual TLS to the next nginx) or the TLS server side (mutual TLS in,
/// plaintext to the backend) — the nginx counterpart of two sidecars with mTLS between them.
/// </summary>
public static class NginxStreamConfig
{
    /// <summary>Where Debian's libnginx-mod-stream puts the module (nginx-light builds stream as a dynamic module).</summary>
    public const string DebianModule = "/usr/lib/nginx/modules/ngx_stream_module.so";

    public enum Tls
    {
        None,
        Client,
        Server,
    }

    /// <summary>The load_module line when the module is a file there; nothing when nginx has stream built in.</summary>
    public static string StreamModule(string modulePath) => File.Exists(modulePath) ? $"load_module {modulePath};" : "";

    public static IReadOnlyDictionary<string, string> Values(string runDirectory, string name, int port, int upstreamPort, Tls tls, string streamModule, TlsFiles? files) =>
        new Dictionary<string, string>
        {
            ["STREAM_MODULE"] = streamModule,
            ["RUN_DIR"] = runDirectory,
            ["NAME"] = name,
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["UPSTREAM_PORT"] = upstreamPort.ToString(CultureInfo.InvariantCulture),
            ["TLS_LISTEN"] = tls == Tls.Server ? " ssl" : "",
            ["TLS_DIRECTIVES"] = tls switch
            {
                Tls.None => "",
                _ when files is null => throw new ArgumentNullException(nameof(files), "TLS needs certificate files"),
                Tls.Server => Lines(
                    $"ssl_certificate {files.ServerCertificate};",
                    $"ssl_certificate_key {files.ServerKey};",
                    $"ssl_client_certificate {files.CaCertificate};",
                    "ssl_verify_client on;"),
                _ => Lines(
                    "proxy_ssl on;",
                    $"proxy_ssl_certificate {files.ClientCertificate};",
                    $"proxy_ssl_certificate_key {files.ClientKey};",
                    $"proxy_ssl_trusted_certificate {files.CaCertificate};",
                    "proxy_ssl_verify on;",
                    $"proxy_ssl_name {TlsFiles.ServerName};"),
            },
        };

    /// <summary>Writes the config of one nginx into the run directory and returns its path.</summary>
    public static string Render(RunContext run, string name, int port, int upstreamPort, Tls tls, TlsFiles? files)
    {
        Directory.CreateDirectory(Path.Combine(run.RunDirectory, name + "-tmp"));
        var text = ConfigTemplate.Render(run.ConfigFile("nginx-stream.conf"), Values(run.RunDirectory, name, port, upstreamPort, tls, StreamModule(DebianModule), files));
        var path = Path.Combine(run.RunDirectory, name + ".conf");
        File.WriteAllText(path, text);
        return path;
    }

    private static string Lines(params string[] directives) => string.Join('\n', directives.Select(d => "        " + d));
}

/// <summary>
/// A private CA and a server and client certificate signed by it (ECDSA P-256, as the mesh's own
/// CA issues), as PEM files for the nginx TLS reference.
/// </summary>
public sealed record TlsFiles(string CaCertificate, string ServerCertificate, string ServerKey, string ClientCertificate, string ClientKey)
{
    public const string ServerName = "bench-nginx-server";

    public static TlsFiles Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=mesh-bench nginx CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));
        var files = new TlsFiles(
            Path.Combine(directory, "ca.crt"),
            Path.Combine(directory, "server.crt"),
            Path.Combine(directory, "server.key"),
            Path.Combine(directory, "client.crt"),
            Path.Combine(directory, "client.key"));
        File.WriteAllText(files.CaCertificate, ca.ExportCertificatePem());
        Issue(ca, ServerName, files.ServerCertificate, files.ServerKey, serverAuth: true, now);
        Issue(ca, "bench-nginx-client", files.ClientCertificate, files.ClientKey, serverAuth: false, now);
        return files;
    }

    private static void Issue(X509Certificate2 ca, string name, string certificatePath, string keyPath, bool serverAuth, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
