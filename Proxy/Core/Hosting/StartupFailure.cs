using Mesh.Proxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// What kept a proxy from starting, as its program reports it: the lines to print and the exit
/// code — 2 for settings it cannot run with, 1 for a listener it cannot open. Anything else is a
/// defect and keeps its stack trace (null).
/// </summary>
internal sealed record StartupFailure(IReadOnlyList<string> Lines, int ExitCode)
{
    public const int BadSettings = 2;
    public const int CannotListen = 1;

    public static StartupFailure? Of(Exception exception) => exception switch
    {
        OptionsValidationException invalid => new(invalid.Failures.ToList(), BadSettings),
        ProxySettingsException settings => new(settings.Errors, BadSettings),

        // Kestrel's "Failed to bind to address http://127.0.0.1:80: address already in use.", and the DNS proxy's.
        IOException io => new([io.Message], CannotListen),
        AggregateException aggregate => Combine(aggregate.Flatten().InnerExceptions),
        _ => null,
    };

    private static StartupFailure? Combine(IReadOnlyCollection<Exception> exceptions)
    {
        var failures = exceptions.Select(Of).ToList();
        return failures.Count == 0 || failures.Any(f => f is null)
            ? null
            : new([.. failures.SelectMany(f => f!.Lines).Distinct()], failures.Max(f => f!.ExitCode));
    }
}
