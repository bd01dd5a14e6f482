using System.Security.Cryptography;
using System.Text;
using Mesh.ControlPlane.Common;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// The bearer token the admin API requires: <c>ControlPlane:AdminToken</c> when set; otherwise,
/// with <c>ControlPlane:GenerateAdminToken</c>, the token in <c>&lt;data&gt;/admin-token</c>, generated
/// (mode 0600) on first start. Null means the admin API is open (only sensible on loopback).
/// </summary>
internal sealed class AdminToken
{
    public const string FileName = "admin-token";

    private readonly byte[]? _expected;

    public AdminToken(IOptions<ControlPlaneOptions> options)
    {
        var settings = options.Value;
        Value = !string.IsNullOrWhiteSpace(settings.AdminToken) ? settings.AdminToken.Trim()
            : settings.GenerateAdminToken ? ReadOrCreate(Path.Combine(settings.DataDirectory, FileName))
            : null;
        _expected = Value is null ? null : Encoding.UTF8.GetBytes(Value);
    }

    public string? Value { get; }

    public bool IsRequired => _expected is not null;

    /// <summary>Constant-time comparison, so the token cannot be guessed byte by byte from timings.</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        if (_expected is null)
        {
            return true;
        }

        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        return CryptographicOperations.FixedTimeEquals(bytes, _expected);
    }

    private static string ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, Encoding.ASCII, fileOptions))
        {
            writer.Write(token);
            writer.Write('\n');
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies only when the file is created: tighten a pre-existing empty file too.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return token;
    }
}
