using System.Text.Json;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// Keeps the last accepted configuration in <c>&lt;data&gt;/config/accepted.json</c>, so a control
/// plane that restarts while a source is invalid (a broken file in the config directory) serves
/// what it served before instead of an empty mesh — the guarantee "the last good configuration
/// keeps serving" then holds across restarts too. istiod gets this from the Kubernetes API server,
/// which only ever holds admitted objects; a file-based control plane has to keep it itself.
/// </summary>
/// <remarks>
/// Written on every accepted change, before proxies are told about it, atomically (temporary file,
/// flush to disk, rename): a crash leaves the previous or the new record, never a torn one. The
/// record is streamed to the file, so a large configuration is not held as one more string.
/// </remarks>
internal sealed partial class AcceptedConfigJournal
{
    private readonly ILogger _logger;

    public AcceptedConfigJournal(string dataDirectory, ILogger<AcceptedConfigJournal> logger)
    {
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDirectory, "config", "accepted.json"));
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>The record of a previous run; null when there is none or it cannot be read (logged).</summary>
    public AcceptedConfigRecord? Read()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(Path);
            return JsonSerializer.Deserialize(stream, AcceptedConfigJsonContext.Default.AcceptedConfigRecord)
                ?? throw new JsonException("the file holds null");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            LogUnreadable(_logger, Path, e.Message);
            return null;
        }
    }

    /// <summary>Replaces the record; a failure is logged (the change still serves, only a restart would not see it).</summary>
    public bool TryWrite(AcceptedConfigRecord record)
    {
        var temporary = Path + ".tmp";
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                JsonSerializer.Serialize(stream, record, AcceptedConfigJsonContext.Default.AcceptedConfigRecord);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, Path, e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last accepted configuration {Path} is unreadable ({Reason}); starting without it")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the last accepted configuration to {Path}: {Reason}; a restart would not serve this generation until its sources are valid")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);
}
