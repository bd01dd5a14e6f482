using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mesh.Telemetry.Tests.Infrastructure;

/// <summary>A logger provider that keeps structured log records (category, message and fields).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields, string? TraceId);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public IEnumerable<Entry> Of(string category) => Entries.Where(e => e.Category == category);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IReadOnlyList<KeyValuePair<string, object?>> list
                ? list.ToDictionary(f => f.Key, f => f.Value)
                : new Dictionary<string, object?>();
            owner.Entries.Enqueue(new Entry(category, logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)} {exception}", fields, System.Diagnostics.Activity.Current?.TraceId.ToHexString()));
        }
    }
}
