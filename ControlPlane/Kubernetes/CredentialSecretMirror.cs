using k8s;
using k8s.Models;
using Mesh.ControlPlane.Credentials;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Gateway credentials from Kubernetes Secrets, as Istio's <c>credentialName</c> reads them: the
/// Secrets of the gateways' namespaces (<see cref="KubernetesOptions.CredentialNamespaces"/>) are
/// listed and watched, and each one holding TLS material is mirrored into the credential
/// directory (<c>&lt;data&gt;/credentials/&lt;name&gt;/</c>) the <see cref="CredentialStore"/> serves
/// from — the same files a mounted Secret volume would give it. A renewed Secret (cert-manager) is
/// pushed to the gateways within a second; a deleted one disappears. Directories the mirror did not
/// write (a locally generated credential) are never touched.
/// </summary>
internal sealed partial class CredentialSecretMirror(
    IKubernetes client, IOptions<KubernetesOptions> options, CredentialStore store, TimeProvider time, ILogger<CredentialSecretMirror> logger)
    : BackgroundService
{
    /// <summary>Marks a credential directory as written by the mirror (and so removable by it).</summary>
    public const string MarkerFile = ".from-kubernetes-secret";

    // Keys of a kubernetes.io/tls Secret and of Istio's generic form; nothing else is written.
    private static readonly string[] CredentialKeys = ["tls.crt", "tls.key", "ca.crt", "cert", "key", "cacert"];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.CredentialNamespaces.Distinct(StringComparer.Ordinal).Select(ns => MirrorAsync(ns, stoppingToken)));

    // The informer loop of every watcher here (list, watch, list again on 410 or resync, back off).
    private Task MirrorAsync(string ns, CancellationToken stopping) =>
        new ListWatchLoop($"Secret ({ns})", options.Value, time, logger).RunAsync(
            cancellationToken => ListAsync(ns, cancellationToken),
            (resourceVersion, cancellationToken) => WatchAsync(ns, resourceVersion, cancellationToken),
            () => { },
            stopping);

    private async Task<string> ListAsync(string ns, CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: cancellationToken);
        var mirrored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in list.Items)
        {
            if (Write(secret))
            {
                mirrored.Add(secret.Metadata.Name);
            }
        }

        // Mirrored directories whose Secret is gone (deleted while no watch was open).
        foreach (var directory in MirroredDirectories())
        {
            if (!mirrored.Contains(Path.GetFileName(directory)))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        store.Reload();
        return list.Metadata?.ResourceVersion ?? "";
    }

    private async Task<(string? ResourceVersion, bool Expired)> WatchAsync(string ns, string resourceVersion, CancellationToken cancellationToken)
    {
        var current = resourceVersion;
        var errors = new WatchErrors();
        var events = client.CoreV1.WatchListNamespacedSecretAsync(
            ns,
            allowWatchBookmarks: true,
            resourceVersion: resourceVersion,
            timeoutSeconds: (int)options.Value.WatchTimeout.TotalSeconds,
            onError: errors.Record,
            cancellationToken: cancellationToken);

        await foreach (var (type, secret) in events.WithCancellation(cancellationToken))
        {
            current = secret.Metadata?.ResourceVersion ?? current;
            var changed = type switch
            {
                WatchEventType.Added or WatchEventType.Modified => Write(secret) || Remove(secret.Metadata?.Name),
                WatchEventType.Deleted => Remove(secret.Metadata?.Name),
                _ => false,
            };
            if (changed)
            {
                store.Reload();
            }
        }

        errors.ThrowIfFailed("Secret");
        return (current, errors.Expired);
    }

    /// <summary>Writes a Secret's TLS files; false when it holds none (or its name cannot be a credential).</summary>
    private bool Write(V1Secret secret)
    {
        var name = secret.Metadata?.Name is { } n ? CredentialNames.Normalize(n) : null;
        var files = (secret.Data ?? new Dictionary<string, byte[]>())
            .Where(kv => CredentialKeys.Contains(kv.Key, StringComparer.Ordinal) && kv.Value is { Length: > 0 })
            .ToList();
        if (name is null || files.Count == 0)
        {
            return false;
        }

        var directory = store.PathOf(name);
        if (Directory.Exists(directory) && !File.Exists(Path.Combine(directory, MarkerFile)))
        {
            LogShadowed(logger, name, directory);
            return false;
        }

        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.EnumerateFiles(directory).Where(f => Path.GetFileName(f) != MarkerFile && !files.Any(kv => kv.Key == Path.GetFileName(f))))
        {
            File.Delete(stale);
        }

        foreach (var (key, value) in files)
        {
            WriteOwnerOnly(Path.Combine(directory, key), value);
        }

        File.WriteAllBytes(Path.Combine(directory, MarkerFile), []);
        return true;
    }

    private bool Remove(string? name)
    {
        var directory = name is null || CredentialNames.Normalize(name) is not { } valid ? null : store.PathOf(valid);
        if (directory is null || !File.Exists(Path.Combine(directory, MarkerFile)))
        {
            return false;
        }

        Directory.Delete(directory, recursive: true);
        return true;
    }

    private IEnumerable<string> MirroredDirectories() =>
        Directory.Exists(store.Directory)
            ? Directory.EnumerateDirectories(store.Directory).Where(d => File.Exists(Path.Combine(d, MarkerFile))).ToList()
            : [];

    /// <summary>Private keys are written owner-only and swapped in whole (temporary file, then rename).</summary>
    private static void WriteOwnerOnly(string path, byte[] content)
    {
        var temporary = path + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, fileOptions))
        {
            stream.Write(content);
        }

        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {Name} is not mirrored: {Directory} holds a credential that did not come from Kubernetes")]
    private static partial void LogShadowed(ILogger logger, string name, string directory);
}
