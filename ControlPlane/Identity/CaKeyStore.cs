using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Identity;

/// <summary>
/// Loads the CA's key material: the operator's plug-in CA when configured (files named by
/// <c>ControlPlane:Ca:*File</c>, or Istio's cacerts layout — <c>ca-cert.pem</c>, <c>ca-key.pem</c>,
/// <c>root-cert.pem</c>, <c>cert-chain.pem</c> — placed in the CA directory), else the self-signed
/// root persisted there as <c>root-cert.pem</c> and <c>root-key.pem</c>, generated on first start.
/// Every problem is an error naming the file.
/// </summary>
internal static class CaKeyStore
{
    public const string CertFileName = "ca-cert.pem";
    public const string KeyFileName = "ca-key.pem";
    public const string RootCertFileName = "root-cert.pem";
    public const string CertChainFileName = "cert-chain.pem";

    /// <summary>The self-signed root's key, next to <see cref="RootCertFileName"/>.</summary>
    public const string RootKeyFileName = "root-key.pem";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static CaKeyMaterial Load(CertificateAuthorityOptions options, string trustDomain, DateTimeOffset now)
    {
        var additional = string.IsNullOrWhiteSpace(options.AdditionalTrustedRootsFile) ? [] : ReadCertificates(options.AdditionalTrustedRootsFile, "ControlPlane:Ca:AdditionalTrustedRootsFile");
        if (!string.IsNullOrWhiteSpace(options.CertFile))
        {
            if (string.IsNullOrWhiteSpace(options.KeyFile))
            {
                throw new InvalidOperationException("ControlPlane:Ca:CertFile is set but ControlPlane:Ca:KeyFile is not: a plug-in CA needs its private key");
            }

            return Open(options.CertFile, options.KeyFile, options.RootCertFile, options.CertChainFile, additional, CaSource.PluggedIn, now);
        }

        var directory = options.Directory ?? throw new InvalidOperationException("ControlPlane:Ca:Directory is not set");
        string In(string name) => Path.Combine(directory, name);

        // An operator's CA placed in the directory (Istio's cacerts layout, e.g. restored from a Secret).
        if (File.Exists(In(CertFileName)) || File.Exists(In(KeyFileName)))
        {
            RequireBoth(directory, CertFileName, KeyFileName);
            TightenKeyFile(In(KeyFileName));
            return Open(In(CertFileName), In(KeyFileName), ExistingOrNull(In(RootCertFileName)), ExistingOrNull(In(CertChainFileName)), additional, CaSource.PluggedIn, now);
        }

        if (File.Exists(In(RootCertFileName)) || File.Exists(In(RootKeyFileName)))
        {
            RequireBoth(directory, RootCertFileName, RootKeyFileName);
            TightenKeyFile(In(RootKeyFileName));
            return Open(In(RootCertFileName), In(RootKeyFileName), null, null, additional, CaSource.PersistedSelfSigned, now);
        }

        Generate(directory, trustDomain, options, now);
        return Open(In(RootCertFileName), In(RootKeyFileName), null, null, additional, CaSource.GeneratedSelfSigned, now);
    }

    private static void RequireBoth(string directory, string certName, string keyName)
    {
        var hasCert = File.Exists(Path.Combine(directory, certName));
        if (hasCert != File.Exists(Path.Combine(directory, keyName)))
        {
            throw new InvalidOperationException(
                $"The CA directory {directory} holds {(hasCert ? certName : keyName)} without {(hasCert ? keyName : certName)}; " +
                "restore the missing file, or remove both to generate a new root (every workload certificate then changes).");
        }
    }

    private static string? ExistingOrNull(string path) => File.Exists(path) ? path : null;

    private static CaKeyMaterial Open(string certFile, string keyFile, string? rootFile, string? chainFile, IReadOnlyList<X509Certificate2> additional, CaSource source, DateTimeOffset now)
    {
        X509Certificate2 signing;
        try
        {
            signing = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot load the CA certificate {certFile} with key {keyFile}: {ex.Message}", ex);
        }

        if (signing.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            throw new InvalidOperationException($"{certFile} is not a CA certificate (basicConstraints CA:TRUE is missing)");
        }

        if (signing.NotAfter.ToUniversalTime() <= now.UtcDateTime || signing.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            throw new InvalidOperationException($"{certFile} is not valid now (valid {signing.NotBefore:u} to {signing.NotAfter:u})");
        }

        var selfSigned = IsSelfSigned(signing);
        var roots = rootFile is not null ? ReadCertificates(rootFile, rootFile) : selfSigned ? [signing] : [];
        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"{certFile} is an intermediate CA: its root certificate file (ControlPlane:Ca:RootCertFile, Istio's root-cert.pem) is required");
        }

        var intermediates = chainFile is null ? [] : ReadCertificates(chainFile, chainFile)
            .Where(c => c.Thumbprint != signing.Thumbprint && !IsSelfSigned(c)).ToList();
        List<X509Certificate2> issuerChain = selfSigned ? [] : [signing, .. intermediates];
        Verify(signing, intermediates, roots, certFile, now);
        return new CaKeyMaterial(signing, issuerChain, roots, additional, source);
    }

    private static void Verify(X509Certificate2 signing, IReadOnlyList<X509Certificate2> intermediates, IReadOnlyList<X509Certificate2> roots, string certFile, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        if (!chain.Build(signing))
        {
            var problems = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            throw new InvalidOperationException($"{certFile} does not chain to the configured root certificate(s): {problems}");
        }
    }

    private static void Generate(string directory, string trustDomain, CertificateAuthorityOptions options, DateTimeOffset now)
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(options.RootOrganization ?? trustDomain);
        subject.AddCommonName("Mesh Root CA");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        // Back-dated an hour so a peer whose clock is slightly behind still accepts it.
        using var root = request.CreateSelfSigned(now.AddHours(-1), now + options.SelfSignedRootTtl);
        var certPem = root.ExportCertificatePem() + "\n";

        // Temporary names start with '.', which the Kubernetes Secret mirror ignores; each rename is atomic.
        var keyTemp = WriteTemporary(directory, key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
        var certTemp = WriteTemporary(directory, certPem, secret: false);
        File.Move(keyTemp, Path.Combine(directory, RootKeyFileName), overwrite: true);
        File.Move(certTemp, Path.Combine(directory, RootCertFileName), overwrite: true);
    }

    private static string WriteTemporary(string directory, string content, bool secret)
    {
        var path = Path.Combine(directory, $".tmp-{Guid.NewGuid():N}");
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (secret && !OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = OwnerOnly;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, fileOptions))
        {
            writer.Write(content);
        }

        return path;
    }

    private static void TightenKeyFile(string path)
    {
        // The key is ours: a copy restored with a loose mode (e.g. by a backup tool) is tightened again.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private static List<X509Certificate2> ReadCertificates(string path, string name)
    {
        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(path);
            if (collection.Count == 0)
            {
                throw new InvalidOperationException($"{name} ({path}) holds no PEM certificate");
            }

            return [.. collection];
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot read {name} ({path}): {ex.Message}", ex);
        }
    }
}
