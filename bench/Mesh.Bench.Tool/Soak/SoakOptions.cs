using System.Globalization;
using Mesh.Bench.Tool.Cli;

namespace Mesh.Bench.Tool.Soak;

/// <summary>What <c>mesh-bench soak</c> (bench/run soak) runs: how long, at what rate, how often config changes.</summary>
public sealed record SoakOptions
{
    /// <summary>The repository whose AppHost runs (its mesh-config/ and .mesh-data/, as the developer's loop).</summary>
    public required string Repository { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Pages per second through the ingress gateway (each page is four calls inside the mesh).</summary>
    public double Rate { get; init; } = 20;

    public int Connections { get; init; } = 8;

    public TimeSpan ChangeEvery { get; init; } = TimeSpan.FromSeconds(30);

    public Uri Gateway { get; init; } = new("http://127.0.0.1:8080/productpage");

    public Uri Admin { get; init; } = new("http://127.0.0.1:15014");

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public string ResultsDirectory { get; init; } = "bench/results";

    public static SoakOptions From(Arguments args)
    {
        var repository = Path.GetFullPath(args.String("repo") ?? Directory.GetCurrentDirectory());
        var options = new SoakOptions
        {
            Repository = repository,
            Duration = ParseDuration(args.String("duration") ?? "1h", "duration"),
            Rate = args.Double("rate", 20),
            Connections = args.Int("connections", 8),
            ChangeEvery = ParseDuration(args.String("change-every") ?? "30s", "change-every"),
            ResultsDirectory = args.String("results-dir") ?? Path.Combine(repository, "bench", "results"),
        };
        args.EnsureAllUsed();
        if (options.Rate <= 0 || options.Connections <= 0 || options.Duration <= TimeSpan.Zero || options.ChangeEvery <= TimeSpan.Zero)
        {
            throw new UsageException("--rate, --connections, --duration and --change-every must be positive");
        }

        return options;
    }

    /// <summary>"90s", "2m", "1h", "1h30m" or plain seconds.</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var total = TimeSpan.Zero;
        var number = "";
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c) || c == '.')
            {
                number += c;
                continue;
            }

            if (number.Length == 0 || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new UsageException($"--{option}: '{text}' is not a duration (90s, 2m, 1h, 1h30m)");
            }

            total += c switch
            {
                's' => TimeSpan.FromSeconds(value),
                'm' => TimeSpan.FromMinutes(value),
                'h' => TimeSpan.FromHours(value),
                _ => throw new UsageException($"--{option}: '{text}' is not a duration (90s, 2m, 1h, 1h30m)"),
            };
            number = "";
        }

        if (number.Length > 0 || total <= TimeSpan.Zero)
        {
            throw new UsageException($"--{option}: '{text}' is not a duration (90s, 2m, 1h, 1h30m)");
        }

        return total;
    }
}
