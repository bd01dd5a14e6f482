namespace Mesh.Bench.Tool.Cli;

/// <summary>A command-line mistake: printed with the usage text, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
