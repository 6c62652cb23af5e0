using System.Diagnostics;
using System.Text;

namespace ControlTower.Testing.Fuzzing;

/// <summary>
/// A mutation fuzzer for the parsers: it starts from real inputs (the seeds) and feeds the target mutated copies of them:
/// bytes flipped, replaced with the characters parsers care about, cut, deleted, repeated (which deepens nesting) and
/// spliced from another seed. A target must handle any input by answering, never by throwing: the first exception fails
/// the run with the input, in base64, and the seed and iteration that reproduce it.
/// <para>
/// Deterministic: the same seed gives the same inputs. Bounded by <paramref name="Iterations"/> in CI;
/// <c>CONTROLTOWER_FUZZ_SECONDS</c> turns a run into a timed one (the longer soak, README "Reliability and security").
/// </para>
/// </summary>
public sealed record Fuzzer(int Iterations = 50_000, int Seed = 20261129)
{
    /// <summary>Bytes that change how JSON, XML, YAML and TAP read: structure, quotes, escapes, entities, bad UTF-8.</summary>
    private static readonly byte[] Interesting = Encoding.UTF8.GetBytes("{}[]\",:\\<>&;!?#-|\n\r\t 0'/*%=.eE+")
        .Concat(new byte[] { 0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xFF }).ToArray();

    private static readonly string[] Tokens =
        ["null", "true", "false", "-1", "1e309", "\"\\uD800\"", "\"\\u0000\"", "[]", "{}", "&lol;", "<!DOCTYPE x>", "]]>", "&#0;", "~", "*a", "&a", "!!binary", "not ok", "1..0", "Bail out!"];

    public sealed record Report(long Executions, TimeSpan Elapsed, int Seeds)
    {
        /// <summary>The line each fuzz test prints: inputs tried, from how many seeds, in how long.</summary>
        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Executions:N0} inputs from {Seeds} seeds in {Elapsed.TotalSeconds:N1} s");
    }

    public Report Run(IReadOnlyList<byte[]> seeds, Action<byte[]> target)
    {
        if (seeds.Count == 0)
        {
            throw new ArgumentException("the fuzzer needs at least one seed input", nameof(seeds));
        }
        var seconds = Environment.GetEnvironmentVariable("CONTROLTOWER_FUZZ_SECONDS") is { } value && int.TryParse(value, out var s) && s > 0 ? s : 0;
        var clock = Stopwatch.StartNew();
        var random = new Random(Seed);
        long executions = 0;
        foreach (var seed in seeds)
        {
            Execute(seed, -1);
        }
        for (var i = 0; seconds > 0 ? clock.Elapsed.TotalSeconds < seconds : i < Iterations; i++)
        {
            var input = seeds[random.Next(seeds.Count)].ToList();
            var mutations = 1 + random.Next(4);
            for (var m = 0; m < mutations; m++)
            {
                Mutate(input, random, seeds);
            }
            Execute([.. input], i);
        }
        return new Report(executions, clock.Elapsed, seeds.Count);

        void Execute(byte[] input, int iteration)
        {
            executions++;
            try
            {
                target(input);
            }
            catch (Exception ex)
            {
                throw new FuzzFailure(
                    $"the target threw {ex.GetType().Name} on iteration {iteration} (fuzzer seed {Seed}): {ex.Message}\n"
                    + $"input (base64): {Convert.ToBase64String(input)}\ninput (text): {Encoding.UTF8.GetString(input[..Math.Min(input.Length, 2_000)])}", ex);
            }
        }
    }

    private static void Mutate(List<byte> input, Random random, IReadOnlyList<byte[]> seeds)
    {
        if (input.Count == 0)
        {
            input.AddRange(seeds[random.Next(seeds.Count)]);
            return;
        }
        var at = random.Next(input.Count);
        switch (random.Next(8))
        {
            case 0:
                input[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                input[at] = Interesting[random.Next(Interesting.Length)];
                break;
            case 2:
                input.RemoveRange(at, input.Count - at);
                break;
            case 3:
                input.RemoveRange(at, Math.Min(input.Count - at, 1 + random.Next(64)));
                break;
            case 4:
                // A slice repeated: an opening bracket or tag repeated nests deeper.
                var length = Math.Min(input.Count - at, 1 + random.Next(16));
                var slice = input.GetRange(at, length);
                var times = 1 + random.Next(random.Next(2) == 0 ? 4 : 200);
                for (var t = 0; t < times; t++)
                {
                    input.InsertRange(at, slice);
                }
                break;
            case 5:
                var other = seeds[random.Next(seeds.Count)];
                var from = random.Next(other.Length);
                input.InsertRange(at, other.Skip(from).Take(1 + random.Next(128)));
                break;
            case 6:
                input.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                break;
            default:
                input.Insert(at, Interesting[random.Next(Interesting.Length)]);
                break;
        }
    }
}

public sealed class FuzzFailure(string message, Exception inner) : Exception(message, inner);
