using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;

namespace Mesh.Sidecar.Capture;

/// <summary>One address family's tables: iptables for IPv4, ip6tables for IPv6.</summary>
internal sealed record IpFamily(string Name, AddressFamily AddressFamily, string Loopback, string Tool)
{
    public static IpFamily V4 { get; } = new("IPv4", AddressFamily.InterNetwork, "127.0.0.1/32", "iptables");

    public static IpFamily V6 { get; } = new("IPv6", AddressFamily.InterNetworkV6, "::1/128", "ip6tables");
}

/// <summary>
/// The host's iptables (nat table): read with iptables-save, changed atomically with
/// iptables-restore --noflush — of the backend the network namespace's rules are in (<see cref="Backend"/>).
/// </summary>
internal static class Iptables
{
    private static readonly ConcurrentDictionary<IpFamily, string> Backends = new();

    public static string SaveNat(IpFamily family) => Run($"{Backend(family)}-save", ["-t", "nat"], stdin: null);

    public static void Restore(IpFamily family, string script) => Run($"{Backend(family)}-restore", ["--noflush"], script);

    /// <summary>
    /// Which of the family's tools to run, chosen once per process as istio-iptables chooses: the
    /// two backends (xtables-legacy and nf_tables) are separate rule sets in the kernel, and rules
    /// added with one beside rules of the other would be evaluated in an order neither shows. So:
    /// <c>iptables-legacy</c> when the namespace already has legacy rules (a node whose kube-proxy
    /// or Docker uses legacy); else <c>iptables-nft</c> when it runs; else plain <c>iptables</c>
    /// (a distribution without the suffixed names; whatever it is, it is the only one).
    /// </summary>
    public static string Backend(IpFamily family) => Backends.GetOrAdd(family, f => Choose(f, TrySave));

    /// <summary>The choice of <see cref="Backend"/>, given what each <c>-save</c> tool prints (null: it does not run).</summary>
    internal static string Choose(IpFamily family, Func<string, string?> save)
    {
        var legacy = family.Tool + "-legacy";
        if (save(legacy) is { } legacyRules && legacyRules.Split('\n').Any(l => l.StartsWith("-A ", StringComparison.Ordinal)))
        {
            return legacy;
        }

        var nft = family.Tool + "-nft";
        return save(nft) is not null ? nft : family.Tool;
    }

    // Every table (as istio-iptables looks): legacy rules in filter or mangle count as much as nat's.
    private static string? TrySave(string tool)
    {
        try
        {
            return Run($"{tool}-save", [], stdin: null);
        }
        catch (CaptureFailedException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="family"/>'s tools run here (remove and show skip a family that has none).</summary>
    public static bool Available(IpFamily family)
    {
        try
        {
            SaveNat(family);
            return true;
        }
        catch (CaptureFailedException)
        {
            return false;
        }
    }

    private static string Run(string file, IReadOnlyList<string> arguments, string? stdin)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CaptureFailedException($"{file} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new CaptureFailedException($"{file} cannot be run ({ex.Message}); capture needs iptables (Debian: apt-get install iptables; it has ip6tables too), or --ipv6=false without ip6tables");
        }

        using (process)
        {
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }

            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new CaptureFailedException($"{file} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {error.Trim()} (capture needs root or CAP_NET_ADMIN)");
            }

            return output.Result;
        }
    }
}

/// <summary>iptables refused or is missing; the message says why.</summary>
internal sealed class CaptureFailedException(string message) : Exception(message);
