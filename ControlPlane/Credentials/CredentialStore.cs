using System.Collections.Frozen;

namespace Mesh.ControlPlane.Credentials;

/// <summary>
/// The named TLS credentials of the local control plane: one directory per credential under
/// <see cref="Directory"/>, holding the files of a Kubernetes TLS secret (<c>tls.crt</c>,
/// <c>tls.key</c>, optional <c>ca.crt</c>) or of a generic one (<c>cert</c>, <c>key</c>,
/// <c>cacert</c>). A mounted Kubernetes secret volume has exactly this shape. Each re-read that
/// changes anything publishes a new <see cref="CredentialSetModel"/> and raises <see cref="Changed"/>.
/// </summary>
internal sealed partial class CredentialStore
{
    private const long MaxFileLength = 1024 * 1024;
    private static readonly string[] CertificateFiles = ["tls.crt", "cert"];
    private static readonly string[] KeyFiles = ["tls.key", "key"];
    private static readonly string[] CaFiles = ["ca.crt", "cacert"];

    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private CredentialSetModel _current = CredentialSetModel.Empty;

    public CredentialStore(string directory, ILogger<CredentialStore> logger)
    {
        Directory = Path.GetFullPath(directory);
        _logger = logger;
    }

    public string Directory { get; }

    public CredentialSetModel Current => Volatile.Read(ref _current);

    /// <summary>Raised (outside any lock) after a re-read changed the credentials.</summary>
    public event Action? Changed;

    /// <summary>The directory a credential's files live in (the name must be valid: see <see cref="CredentialNames"/>).</summary>
    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Re-reads every credential; true when anything changed.</summary>
    public bool Reload()
    {
        lock (_gate)
        {
            var read = Read();
            var current = _current;
            if (read.Count == current.Credentials.Count && read.All(kv => current.Credentials.TryGetValue(kv.Key, out var old) && old == kv.Value))
            {
                return false;
            }

            var next = new CredentialSetModel(current.Version + 1, read.ToFrozenDictionary(StringComparer.Ordinal));
            Volatile.Write(ref _current, next);
            LogLoaded(_logger, next.Credentials.Count, Directory, next.Version);
        }

        Changed?.Invoke();
        return true;
    }

    private Dictionary<string, CredentialFiles> Read()
    {
        var result = new Dictionary<string, CredentialFiles>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(Directory))
        {
            return result;
        }

        foreach (var path in System.IO.Directory.EnumerateDirectories(Directory))
        {
            var name = Path.GetFileName(path);

            // Not a secret name: "..data" of a mounted secret volume, editor leftovers, ...
            if (CredentialNames.Normalize(name) != name)
            {
                continue;
            }

            try
            {
                var files = new CredentialFiles(ReadFirst(path, CertificateFiles), ReadFirst(path, KeyFiles), ReadFirst(path, CaFiles));
                if (files.Certificate is not null || files.PrivateKey is not null || files.CaCertificates is not null)
                {
                    result[name] = files;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogUnreadable(_logger, name, ex.Message);
            }
        }

        return result;
    }

    private static string? ReadFirst(string directory, string[] names)
    {
        foreach (var name in names)
        {
            var file = new FileInfo(Path.Combine(directory, name));
            if (file.Exists && file.Length <= MaxFileLength)
            {
                return File.ReadAllText(file.FullName);
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} TLS credentials from {Directory} (version {Version})")]
    private static partial void LogLoaded(ILogger logger, int count, string directory, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credential {Name} could not be read: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string name, string reason);
}
