namespace Microsoft.Extensions.Hosting;

public static class LimitedRead
{
    /// <summary>
    /// Reads the stream whole, or stops and returns null as soon as it passes <paramref name="limit"/> bytes,
    /// so an oversized body is never buffered past the limit.
    /// </summary>
    public static async Task<byte[]?> ReadAtMostAsync(this Stream source, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
