namespace Samples.ExtAuthz;

/// <summary>
/// The Go sample's flags (<c>-http 8000</c>, <c>-grpc 9000</c>, <c>-allow_service_account a</c>;
/// also <c>--name</c> and <c>-name=value</c>, as Go's flag package reads them). Every other
/// argument is left to ASP.NET Core's configuration (<c>--ExtAuthz:HealthPort 8001</c>, …).
/// </summary>
internal sealed record ExtAuthzCommandLine(IReadOnlyDictionary<string, string> Settings, string[] HostArguments)
{
    public const string Usage = """
        Usage of extauthz:
          -allow_service_account string
            	allowed service account, matched against the service account in the source principal from the client certificate (default "a")
          -grpc string
            	gRPC server port (default "9000")
          -http string
            	HTTP server port (default "8000")
        """;

    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["http"] = $"{ExtAuthzSettings.SectionName}:HttpPort",
        ["grpc"] = $"{ExtAuthzSettings.SectionName}:GrpcPort",
        ["allow_service_account"] = $"{ExtAuthzSettings.SectionName}:AllowServiceAccount",
    };

    /// <summary>Null and an error (Go's wording) when a flag has no value; "help" for -h/-help.</summary>
    public static ExtAuthzCommandLine? Parse(string[] args, out string? error)
    {
        error = null;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var host = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = FlagName(args[i], out var inlineValue);
            if (name is "h" or "help")
            {
                error = "help";
                return null;
            }

            if (name is null || !Flags.TryGetValue(name, out var key))
            {
                host.Add(args[i]);
                continue;
            }

            if (inlineValue is null && i + 1 >= args.Length)
            {
                error = $"flag needs an argument: -{name}";
                return null;
            }

            settings[key] = inlineValue ?? args[++i];
        }

        return new ExtAuthzCommandLine(settings, [.. host]);
    }

    private static string? FlagName(string arg, out string? value)
    {
        value = null;
        var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg.StartsWith('-') ? arg[1..] : null;
        if (name is null)
        {
            return null;
        }

        var equals = name.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            value = name[(equals + 1)..];
            name = name[..equals];
        }

        return name;
    }
}
