using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ControlTower.Testing.Services;

/// <summary>
/// Every log entry a host writes, at every level, as text: the category, the formatted message, each structured value
/// and scope value, and the exception with its inner ones. For tests that read what a service logged, such as that no
/// secret ever reaches the log.
/// </summary>
public sealed class CapturedLog : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> entries = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<string> Entries => entries;

    /// <summary>The entries that contain <paramref name="text"/> (ordinal), for a failure message that shows them.</summary>
    public IReadOnlyList<string> Containing(string text) => entries.Where(e => e.Contains(text, StringComparison.Ordinal)).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => log.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder().Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append(" | ").Append(key).Append('=').Append(value);
                }
            }
            log.scopes.ForEachScope((scope, builder) => builder.Append(" | scope ").Append(scope is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : scope), text);
            for (var inner = exception; inner is not null; inner = inner.InnerException)
            {
                text.Append(" | exception ").Append(inner);
            }
            log.entries.Enqueue(text.ToString());
        }
    }
}
