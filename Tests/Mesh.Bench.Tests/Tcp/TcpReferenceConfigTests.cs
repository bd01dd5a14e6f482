using System.Security.Cryptography.X509Certificates;
using Mesh.Bench.Tool.Orchestration;
using Mesh.Bench.Tool.Tcp;

namespace Mesh.Bench.Tests.Tcp;

/// <summary>The reference proxies' TCP configs as bench/configs renders them, and the nginx TLS reference's certificates.</summary>
public sealed class TcpReferenceConfigTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mesh-bench-tests-" + Guid.NewGuid().ToString("N"));

    public TcpReferenceConfigTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public void A_plain_nginx_stream_hop_listens_and_proxies_without_tls()
    {
        var text = Render(NginxStreamConfig.Tls.None, files: null, module: "load_module /m/ngx_stream_module.so;");
        Assert.StartsWith("load_module /m/ngx_stream_module.so;", text.Split('\n').First(l => !l.StartsWith('#')), StringComparison.Ordinal);
        Assert.Contains("listen 127.0.0.1:21000 backlog=4096;", text, StringComparison.Ordinal);
        Assert.Contains("proxy_pass 127.0.0.1:21001;", text, StringComparison.Ordinal);

        // The probe and the short connections half-close and wait for the answer.
        Assert.Contains("proxy_half_close on;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ssl", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tls_pair_is_mutual_the_server_verifies_clients_and_the_client_verifies_the_server_by_name()
    {
        var files = TlsFiles.Write(_directory);
        var server = Render(NginxStreamConfig.Tls.Server, files, module: "");
        Assert.Contains("listen 127.0.0.1:21000 ssl backlog=4096;", server, StringComparison.Ordinal);
        Assert.Contains($"ssl_certificate {files.ServerCertificate};", server, StringComparison.Ordinal);
        Assert.Contains($"ssl_client_certificate {files.CaCertificate};", server, StringComparison.Ordinal);
        Assert.Contains("ssl_verify_client on;", server, StringComparison.Ordinal);

        var client = Render(NginxStreamConfig.Tls.Client, files, module: "");
        Assert.Contains("listen 127.0.0.1:21000 backlog=4096;", client, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl on;", client, StringComparison.Ordinal);
        Assert.Contains($"proxy_ssl_certificate {files.ClientCertificate};", client, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_verify on;", client, StringComparison.Ordinal);
        Assert.Contains($"proxy_ssl_name {TlsFiles.ServerName};", client, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_without_certificates_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => NginxStreamConfig.Values(_directory, "n", 1, 2, NginxStreamConfig.Tls.Client, "", files: null));
    }

    [Fact]
    public void The_stream_module_is_loaded_only_when_it_is_a_file_there()
    {
        var module = Path.Combine(_directory, "ngx_stream_module.so");
        Assert.Equal("", NginxStreamConfig.StreamModule(module));
        File.WriteAllText(module, "");
        Assert.Equal($"load_module {module};", NginxStreamConfig.StreamModule(module));
    }

    [Fact]
    public void The_server_and_client_certificates_chain_to_the_private_ca_with_their_usages()
    {
        var files = TlsFiles.Write(_directory);
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(files.CaCertificate));
        foreach (var (path, name, usage) in new[] { (files.ServerCertificate, TlsFiles.ServerName, "1.3.6.1.5.5.7.3.1"), (files.ClientCertificate, "bench-nginx-client", "1.3.6.1.5.5.7.3.2") })
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(usage));
            Assert.True(chain.Build(certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
            Assert.Equal(name, certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false));
        }
    }

    [Fact]
    public void Haproxy_runs_the_tcp_reference_in_tcp_mode()
    {
        var text = ConfigTemplate.Render(Path.Combine(Configs, "haproxy-tcp.cfg"), new Dictionary<string, string> { ["PORT"] = "21000", ["UPSTREAM_PORT"] = "21001" });
        Assert.Contains("mode tcp", text, StringComparison.Ordinal);
        Assert.Contains("nbthread 1", text, StringComparison.Ordinal);
        Assert.Contains("bind 127.0.0.1:21000", text, StringComparison.Ordinal);
        Assert.Contains("server backend 127.0.0.1:21001", text, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Render(NginxStreamConfig.Tls tls, TlsFiles? files, string module) =>
        ConfigTemplate.Render(Path.Combine(Configs, "nginx-stream.conf"), NginxStreamConfig.Values(_directory, "hop", 21000, 21001, tls, module, files));

    private static string Configs { get; } = FindConfigs();

    private static string FindConfigs()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
            {
                return Path.Combine(directory.FullName, "bench", "configs");
            }
        }

        throw new InvalidOperationException("repository root (Mesh.sln) not found");
    }
}
