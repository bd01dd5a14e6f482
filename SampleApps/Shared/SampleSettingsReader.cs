using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Samples.Shared;

/// <summary>Reads one configuration section of a sample; every error names the setting (<c>Section:Key</c>).</summary>
internal sealed class SampleSettingsReader(IConfiguration configuration, string sectionName)
{
    public IConfigurationSection Section { get; } = configuration.GetSection(sectionName);

    public SampleListenAddress ReadListenAddress()
    {
        var text = Section["ListenAddress"];
        if (text is null)
        {
            return SampleListenAddress.Default(key => configuration[key]);
        }

        return SampleListenAddress.TryParse(text, out var error) ?? throw Error("ListenAddress", error!);
    }

    /// <summary>A port 0-65535 (0: the OS picks one, which needs an IP address to listen on).</summary>
    public int? ReadPort(string key, string? text, SampleListenAddress address)
    {
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw Error(key, $"'{text}' is not a port (0-65535)");
        }

        return port == 0 && !address.SupportsPortZero
            ? throw Error(key, $"port 0 (any free port) needs an IP address in {sectionName}:ListenAddress, not '{address.Text}'")
            : port;
    }

    public int? ReadPort(string key, SampleListenAddress address) => ReadPort(key, EmptyAsNull(Section[key]), address);

    public int? ReadInt(string key, int min, int max)
    {
        var text = EmptyAsNull(Section[key]);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Error(key, $"'{text}' is not a whole number from {min} to {max}");
    }

    /// <summary>Fails when two of the ports (other than 0) are the same.</summary>
    public void RequireDistinct(IEnumerable<(string Key, int Port)> ports)
    {
        var seen = new Dictionary<int, string>();
        foreach (var (key, port) in ports.Where(p => p.Port != 0))
        {
            if (!seen.TryAdd(port, key))
            {
                throw Error(key, $"port {port} is also {sectionName}:{seen[port]}");
            }
        }
    }

    public SampleConfigurationException Error(string key, string problem) => new($"{sectionName}:{key}: {problem}");

    private static string? EmptyAsNull(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
