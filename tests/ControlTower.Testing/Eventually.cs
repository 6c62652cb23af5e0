using System.Net.Http.Json;
using Xunit;

namespace ControlTower.Testing;

/// <summary>
/// Waiting for what a system does asynchronously (a message consumed, a finding opened): ask again every 100 ms
/// until the answer is there, or fail after a generous timeout. Never a timed assertion: the timeout only ends a
/// wait that would otherwise hang.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The probe's first non-null answer.</summary>
    public static async Task<T> Async<T>(Func<Task<T?>> probe, TimeSpan? timeout = null) where T : class
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            await Task.Delay(100, cancel.Token);
        }
    }

    /// <summary>The probe's first answer that has a value.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null) where T : struct
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            await Task.Delay(100, cancel.Token);
        }
    }

    /// <summary>GETs <paramref name="url"/> as JSON until the answer satisfies <paramref name="until"/>, and returns it.</summary>
    public static Task<T> GetUntilAsync<T>(this HttpClient client, string url, Func<T, bool> until, TimeSpan? timeout = null) where T : class =>
        Async(async () =>
        {
            var answer = await client.GetFromJsonAsync<T>(url, TestContext.Current.CancellationToken);
            return answer is not null && until(answer) ? answer : null;
        }, timeout);
}
