using System.Net;
using Mesh.ControlPlane.Admin;

namespace Mesh.ControlPlane.Console;

/// <summary>
/// Who may read the console: anyone on loopback who addresses it by a loopback name (the Host
/// check keeps a DNS-rebinding page from reading it through the browser), otherwise only with the
/// admin token. The console never changes anything; every mutation stays on the admin API with its token.
/// </summary>
internal static class ConsoleAccess
{
    public static bool IsAllowed(HttpContext context, AdminToken token)
    {
        if (!token.IsRequired)
        {
            return true;
        }

        if (context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote) && IsLoopbackHost(context.Request.Host.Host))
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && token.Matches(header.AsSpan(Scheme.Length).Trim());
    }

    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
