using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Integration.Tests.L4.Postgres;

/// <summary>
/// A private PostgreSQL cluster for one test class: Debian's server binaries, <c>initdb</c> into a
/// temporary directory, on 127.0.0.1 and a free port, with SSL on (a self-made certificate) and a
/// pg_hba.conf that admits only SSL connections with a SCRAM password. Run as the <c>postgres</c>
/// user when the tests run as root (the server refuses to run as root).
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "mesh";

    private readonly string _root;
    private readonly string _bin;

    private PostgresServer(string root, string bin, int port, string password, X509Certificate2 certificate)
    {
        _root = root;
        _bin = bin;
        Port = port;
        Password = password;
        Certificate = certificate;
    }

    public int Port { get; }

    public string Password { get; }

    /// <summary>The server's own certificate (self-signed, SAN 127.0.0.1): what a client must see through the mesh.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePath => Path.Combine(_root, "server.crt");

    /// <summary>Why the server cannot run here (no binaries, no unprivileged user), or null.</summary>
    public static string? Unavailable { get; } = FindUnavailableReason();

    private static string? BinDirectory { get; set; }

    private static bool RunAsPostgres => Environment.IsPrivilegedProcess;

    public static async Task<PostgresServer> StartAsync()
    {
        if (Unavailable is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        var root = Path.Combine(Path.GetTempPath(), "mesh-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var certificate = WriteCertificate(root);
        await File.WriteAllTextAsync(Path.Combine(root, "password"), password);
        var server = new PostgresServer(root, BinDirectory!, FreePort(), password, certificate);
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        if (RunAsPostgres)
        {
            await RunAsync("chown", ["-R", "postgres:", _root], asPostgres: false);
        }

        var data = Path.Combine(_root, "data");
        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", data, "-U", User, "--pwfile", Path.Combine(_root, "password"), "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--locale=C", "--no-sync"]);

        // Only SSL with a password: a connection whose TLS did not reach the server cannot log in.
        await File.WriteAllTextAsync(Path.Combine(data, "pg_hba.conf"), """
            hostssl   all all 127.0.0.1/32 scram-sha-256
            hostnossl all all 0.0.0.0/0    reject
            """);
        await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = ''
            ssl = on
            ssl_cert_file = '{CertificatePath}'
            ssl_key_file = '{Path.Combine(_root, "server.key")}'
            fsync = off
            max_connections = 20
            shared_buffers = 16MB

            """);
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "start"]);
    }

    /// <summary>The server's log (for failure messages).</summary>
    public string Log() => File.Exists(Path.Combine(_root, "server.log")) ? File.ReadAllText(Path.Combine(_root, "server.log")) : "";

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(_root, "data", "postmaster.pid")))
        {
            try
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already gone; the directory goes anyway.
            }
        }

        Certificate.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2 WriteCertificate(string root)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=postgres.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(root, "server.crt"), certificate.ExportCertificatePem());
        var keyPath = Path.Combine(root, "server.key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());

        // The server refuses a key others can read.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return certificate;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo(asPostgres && RunAsPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres && RunAsPostgres)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static string? FindUnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the PostgreSQL test runs on Linux with Debian's postgresql package";
        }

        BinDirectory = new[] { "/usr/lib/postgresql" }
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0)
            .FirstOrDefault();
        if (BinDirectory is null)
        {
            return "PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin (.ci/install-deps installs Debian's postgresql package)";
        }

        if (RunAsPostgres && !File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)))
        {
            return "running as root and there is no 'postgres' user to run the server as (PostgreSQL refuses root)";
        }

        return null;
    }
}
