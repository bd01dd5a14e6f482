using System.Globalization;

namespace Mesh.Bench.Tool.Cli;

/// <summary>
/// The harness's small command line: <c>--name value</c> options and <c>--flag</c> switches.
/// Unknown or malformed options are errors that name the option (a typo must not silently run
/// a 30-minute benchmark with defaults).
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private Arguments()
    {
    }

    public static Arguments Parse(IReadOnlyList<string> args)
    {
        var result = new Arguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"unexpected argument '{arg}' (options look like --name value)");
            }

            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            if (!result._values.TryAdd(name, value))
            {
                throw new UsageException($"--{name} is given twice");
            }
        }

        return result;
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var value))
        {
            return false;
        }

        return value is null || (bool.TryParse(value, out var b) ? b : throw new UsageException($"--{name} takes no value or true/false (got '{value}')"));
    }

    public string? String(string name)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var value))
        {
            return null;
        }

        return value ?? throw new UsageException($"--{name} needs a value");
    }

    public string Required(string name) => String(name) ?? throw new UsageException($"--{name} is required");

    public double Double(string name, double fallback)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new UsageException($"--{name} must be a non-negative number (got '{text}')");
    }

    public int Int(string name, int fallback)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new UsageException($"--{name} must be a non-negative integer (got '{text}')");
    }

    public IReadOnlyList<string>? List(string name) =>
        String(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IReadOnlyList<int>? IntList(string name) => List(name)?.Select(v =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new UsageException($"--{name} must be a comma-separated list of positive integers (got '{v}')")).ToList();

    /// <summary>Fails on options no reader asked for: call after reading every option.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}
