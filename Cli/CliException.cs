namespace Mesh.Cli;

/// <summary>An expected failure (bad input, unreachable or refusing server): printed as one message, exit code 1.</summary>
internal sealed class CliException(string message, IReadOnlyList<string>? details = null) : Exception(message)
{
    public IReadOnlyList<string> Details { get; } = details ?? [];
}
