namespace Mesh.Cli;

/// <summary>
/// What a meshctl run talks to: its output streams, environment and working directory. Tests run
/// commands in-process with their own writers and settings.
/// </summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, Func<string, string?> Environment, string CurrentDirectory)
{
    public static CliContext System { get; } = new(Console.Out, Console.Error, global::System.Environment.GetEnvironmentVariable, global::System.Environment.CurrentDirectory);
}
