// Compiled into the Istio sample ports (tcp-echo, ext-authz), whose ports come from their own
// options (as Istio's images take them from arguments) rather than from ASPNETCORE_URLS.
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Samples.Shared;

/// <summary>
/// Where a sample listens: <c>localhost</c> (127.0.0.1 and ::1, the default outside containers),
/// <c>*</c> (every interface, the default in a container, like Istio's <c>:port</c>), or one IP address.
/// </summary>
internal sealed record SampleListenAddress(string Text)
{
    public const string Localhost = "localhost";
    public const string AnyAddress = "*";

    /// <summary>The default: every interface when the .NET container images say we run in one.</summary>
    public static SampleListenAddress Default(Func<string, string?> configuration) =>
        new(string.Equals(configuration("DOTNET_RUNNING_IN_CONTAINER"), "true", StringComparison.OrdinalIgnoreCase)
            ? AnyAddress
            : Localhost);

    /// <summary>Null and an error message when <paramref name="text"/> is none of the three forms.</summary>
    public static SampleListenAddress? TryParse(string text, out string? error)
    {
        error = null;
        var trimmed = text.Trim();
        if (trimmed is Localhost or AnyAddress || IPAddress.TryParse(trimmed, out _))
        {
            return new SampleListenAddress(trimmed);
        }

        error = $"'{text}' is not an IP address, 'localhost' or '*'";
        return null;
    }

    /// <summary>Kestrel cannot pick a free port for "localhost" (two sockets, one port).</summary>
    public bool SupportsPortZero => Text != Localhost;

    public void Listen(KestrelServerOptions kestrel, int port, Action<ListenOptions> configure)
    {
        switch (Text)
        {
            case Localhost:
                kestrel.ListenLocalhost(port, configure);
                break;
            case AnyAddress:
                kestrel.ListenAnyIP(port, configure);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(Text), port, configure);
                break;
        }
    }
}
