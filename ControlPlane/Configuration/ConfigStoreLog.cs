namespace Mesh.ControlPlane.Configuration;

/// <summary>The store's log messages (source-generated).</summary>
internal static partial class ConfigStoreLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration generation {Generation} accepted from {Source}: {Objects} objects")]
    public static partial void Accepted(ILogger logger, long generation, string source, int objects);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration change from {Source} rejected with {Count} error(s); generation {Generation} keeps serving")]
    public static partial void Rejected(ILogger logger, string source, int count, long generation);

    [LoggerMessage(Level = LogLevel.Error, Message = "  {Error}")]
    public static partial void RejectionError(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Applied object file {Path} does not parse; moved to {Target}: {Error}")]
    public static partial void Quarantined(ILogger logger, string path, string target, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored configuration generation {Generation} ({Objects} objects) from {Path}; it serves until the sources produce a newer one")]
    public static partial void Restored(ILogger logger, long generation, int objects, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The last accepted configuration (generation {Generation}, {Path}) no longer validates ({Count} error(s)); it is not served")]
    public static partial void RestoreRejected(ILogger logger, long generation, string path, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Configuration from {Source} unchanged (generation {Generation})")]
    public static partial void Unchanged(ILogger logger, string source, long generation);
}
