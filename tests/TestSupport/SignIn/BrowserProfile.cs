namespace Gateway.Testing.SignIn;

/// <summary>
/// A browser session kept across <see cref="HeadlessBrowser"/> runs: its cookies and local storage
/// are saved to a Playwright storage state file at the end of each run and loaded at the start of
/// the next (a person coming back to the same browser). The file is removed on dispose.
/// </summary>
public sealed class BrowserProfile : IDisposable
{
    private readonly TempDirectory _dir = new();

    public string StatePath => _dir.File("storage-state.json");

    /// <summary>True once a run has saved a session.</summary>
    public bool HasState => File.Exists(StatePath);

    public void Dispose() => _dir.Dispose();
}
