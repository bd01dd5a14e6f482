using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing.Logging;

/// <summary>A logger provider that keeps structured log records (category, level, message, fields, trace id).</summary>
public sealed class CapturedLogs(LogLevel minimumLevel = LogLevel.Information) : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields, string? TraceId);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public IEnumerable<Entry> Of(string category) => Entries.Where(e => e.Category == category);

    /// <summary>Warnings and errors, one line each (for failure messages).</summary>
    public string Problems(int max = 10) =>
        string.Join(" | ", Entries.Where(e => e.Level >= LogLevel.Warning).Take(max).Select(e => $"{e.Category}: {e.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var fields = state is IReadOnlyList<KeyValuePair<string, object?>> list
                ? list.ToDictionary(f => f.Key, f => f.Value)
                : new Dictionary<string, object?>();
            var message = exception is null ? formatter(state, exception) : $"{formatter(state, exception)} {exception}";
            owner.Entries.Enqueue(new Entry(category, logLevel, message, fields, System.Diagnostics.Activity.Current?.TraceId.ToHexString()));
        }
    }

    private readonly LogLevel _minimumLevel = minimumLevel;
}
