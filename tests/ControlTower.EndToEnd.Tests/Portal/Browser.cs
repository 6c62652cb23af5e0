namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>
/// The Chromium the browser tests drive: <c>CONTROLTOWER_CHROMIUM</c> if set, else the first of the usual
/// names on the PATH (Debian's <c>chromium</c>, <c>chromium-browser</c>, <c>google-chrome</c>). Playwright's
/// own browser download is not used, so the tests run where only OS packages can be installed.
/// </summary>
internal static class Browser
{
    public static string Path()
    {
        if (Environment.GetEnvironmentVariable("CONTROLTOWER_CHROMIUM") is { Length: > 0 } configured)
        {
            return configured;
        }
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator);
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" })
        {
            foreach (var directory in directories)
            {
                var candidate = System.IO.Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new InvalidOperationException(
            "No Chromium found: install Debian's 'chromium' package (the README's test command does) or set CONTROLTOWER_CHROMIUM.");
    }
}
