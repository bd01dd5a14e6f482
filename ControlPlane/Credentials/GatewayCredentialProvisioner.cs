using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Config.Model.Networking;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Credentials;

/// <summary>
/// Watches which credentials the Gateway servers name. A missing one is reported (once, until it
/// appears) — the server then refuses TLS handshakes, as Istio's gateway does without its secret.
/// With <see cref="CredentialOptions.GenerateSelfSigned"/> (local development) a SIMPLE server's
/// missing credential is generated instead: a self-signed localhost certificate persisted in the
/// credential directory, renewed when it nears expiry; MUTUAL servers need a client CA from the
/// operator, so theirs are never generated.
/// </summary>
internal sealed partial class GatewayCredentialProvisioner : IHostedService, IAsyncDisposable
{
    /// <summary>Marks a credential directory this class generated (only those are ever renewed or replaced).</summary>
    public const string GeneratedMarker = ".mesh-generated";

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private readonly ConfigStore _config;
    private readonly CredentialStore _credentials;
    private readonly CredentialOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChangeDebouncer _debouncer;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public GatewayCredentialProvisioner(
        ConfigStore config, CredentialStore credentials, IOptions<CredentialOptions> options, TimeProvider time, ILogger<GatewayCredentialProvisioner> logger)
    {
        _config = config;
        _credentials = credentials;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _debouncer = new ChangeDebouncer(
            new ChangeDebouncerOptions(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)) { TimeProvider = time },
            _ => Task.FromResult(Check()),
            ex => LogCheckFailed(_logger, ex));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _config.Changed += _debouncer.Notify;
        _credentials.Changed += _debouncer.Notify;
        Check();
        _debouncer.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        _config.Changed -= _debouncer.Notify;
        _credentials.Changed -= _debouncer.Notify;
        await _debouncer.DisposeAsync();
    }

    /// <summary>Generates or reports what is missing; returns the number of credentials generated.</summary>
    public int Check()
    {
        var generated = 0;
        var current = _credentials.Current;
        foreach (var (name, mode, hosts, server) in References())
        {
            var credential = current.Find(name);
            var usable = credential is not null && (mode != ServerTlsMode.Mutual || credential.CaCertificatesPem is not null);
            if (usable && !NeedsRenewal(name, credential!))
            {
                _reported.Remove(name);
                continue;
            }

            if (_options.GenerateSelfSigned && mode == ServerTlsMode.Simple && (credential is null || IsGenerated(name)))
            {
                Generate(name, hosts);
                generated++;
                continue;
            }

            if (!usable && _reported.Add(name))
            {
                LogMissing(_logger, server, name, mode == ServerTlsMode.Mutual ? "tls.crt, tls.key and ca.crt (or a credential named " + name + CredentialNames.CaSuffix + " with ca.crt)" : "tls.crt and tls.key", _credentials.PathOf(name));
            }
        }

        if (generated > 0)
        {
            _credentials.Reload();
        }

        return generated;
    }

    private IEnumerable<(string Name, ServerTlsMode Mode, IReadOnlyList<string> Hosts, string Server)> References()
    {
        var byName = new Dictionary<string, (ServerTlsMode Mode, List<string> Hosts, string Server)>(StringComparer.Ordinal);
        foreach (var gateway in _config.Current.Model.Gateways)
        {
            for (var i = 0; i < gateway.Spec.Servers.Count; i++)
            {
                var server = gateway.Spec.Servers[i];
                if (server.Tls is not { Mode: ServerTlsMode.Simple or ServerTlsMode.Mutual, CredentialName: { } credentialName }
                    || CredentialNames.Normalize(credentialName) is not { } name)
                {
                    continue;
                }

                var hosts = server.Hosts.Select(h => h.Contains('/') ? h[(h.IndexOf('/') + 1)..] : h);
                if (byName.TryGetValue(name, out var existing))
                {
                    existing.Hosts.AddRange(hosts);

                    // A credential a MUTUAL server uses must carry a client CA: never generate it.
                    byName[name] = existing with { Mode = existing.Mode == ServerTlsMode.Mutual ? existing.Mode : server.Tls.Mode!.Value };
                }
                else
                {
                    byName[name] = (server.Tls.Mode!.Value, [.. hosts], $"{gateway.Namespace}/{gateway.Name} servers[{i}]");
                }
            }
        }

        return byName.Select(kv => (kv.Key, kv.Value.Mode, (IReadOnlyList<string>)kv.Value.Hosts, kv.Value.Server));
    }

    private bool IsGenerated(string name) => File.Exists(Path.Combine(_credentials.PathOf(name), GeneratedMarker));

    private bool NeedsRenewal(string name, Snapshots.TlsCredential credential)
    {
        if (!IsGenerated(name))
        {
            return false;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(credential.CertificatePem);
            return certificate.NotAfter.ToUniversalTime() - _time.GetUtcNow().UtcDateTime < RenewBefore;
        }
        catch (CryptographicException)
        {
            return true;
        }
    }

    private void Generate(string name, IReadOnlyList<string> hosts)
    {
        var (certificate, key) = SelfSignedCredential.Create(name, hosts, _time.GetUtcNow());
        var directory = _credentials.PathOf(name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, GeneratedMarker), "Generated by the mesh control plane for local development; delete this directory or replace tls.crt and tls.key to use your own certificate.\n");
        WriteAtomically(Path.Combine(directory, "tls.key"), key, secret: true);
        WriteAtomically(Path.Combine(directory, "tls.crt"), certificate, secret: false);
        LogGenerated(_logger, name, string.Join(", ", new[] { "localhost", "127.0.0.1", "::1" }.Concat(hosts.Where(h => h != "*")).Distinct()), directory);
    }

    private static void WriteAtomically(string path, string content, bool secret)
    {
        var temporary = path + ".tmp";
        if (secret && !OperatingSystem.IsWindows())
        {
            using var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerReadWrite });
            using var writer = new StreamWriter(stream);
            writer.Write(content);
        }
        else
        {
            File.WriteAllText(temporary, content);
        }

        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway {Server} uses credential {Name}, which does not exist: its TLS connections are refused until {Files} are in {Directory}")]
    private static partial void LogMissing(ILogger logger, string server, string name, string files, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated a self-signed certificate for credential {Name} ({Hosts}) in {Directory}; replace tls.crt and tls.key there to use your own")]
    private static partial void LogGenerated(ILogger logger, string name, string hosts, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking the gateway credentials failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
