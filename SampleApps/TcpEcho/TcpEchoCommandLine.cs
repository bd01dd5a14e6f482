namespace Samples.TcpEcho;

/// <summary>
/// Istio's tcp-echo image takes exactly two arguments, <c>PORTS PREFIX</c>
/// (<c>args: [ "9000,9001,9002", "one" ]</c> in Istio's Deployments); the C# port accepts the
/// same, mixed with ASP.NET Core's own <c>--key value</c> options, which pass through.
/// </summary>
internal sealed record TcpEchoCommandLine(string? Ports, string? Prefix, string[] HostArguments)
{
    // Istio's message, word for word: scripts that check it keep working.
    public const string Usage =
        "you should run it like: 'main [PORTS...] prefix' , please notice PORTS are comma-delineated , like  port 1[,port 2]  ";

    /// <summary>Null when the positional arguments are not exactly "PORTS PREFIX" (or absent).</summary>
    public static TcpEchoCommandLine? Parse(string[] args)
    {
        var positional = new List<string>();
        var host = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!IsOption(arg))
            {
                positional.Add(arg);
                continue;
            }

            host.Add(arg);
            // "--key value": the value belongs to the option (as Microsoft.Extensions.Configuration reads it).
            if (!arg.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length && !IsOption(args[i + 1]))
            {
                host.Add(args[++i]);
            }
        }

        return positional.Count switch
        {
            0 => new TcpEchoCommandLine(null, null, [.. host]),
            2 => new TcpEchoCommandLine(positional[0], positional[1], [.. host]),
            _ => null,
        };
    }

    private static bool IsOption(string arg) => arg.StartsWith('-') || (arg.StartsWith('/') && arg.Length > 1);
}
