using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>
/// Kubernetes wants strings in labels, annotations, ConfigMap data and env values, and reads YAML 1.1 (where yes, on and
/// 8080 are not strings): an unquoted "true" there fails the apply. The renderer reads every scalar as text, so this is
/// checked on the files themselves.
/// </summary>
public sealed partial class StringScalarTests
{
    private static readonly HashSet<string> StringMaps = ["labels", "annotations", "matchLabels", "data", "selector"];

    public static List<string> Problems(string file)
    {
        var problems = new List<string>();
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }
        foreach (var document in stream.Documents)
        {
            Walk(document.RootNode, null);
        }
        return problems;

        void Walk(YamlNode node, string? key)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children)
                    {
                        var name = (k as YamlScalarNode)?.Value;
                        if (name is not null && StringMaps.Contains(name) && v is YamlMappingNode strings)
                        {
                            foreach (var (label, value) in strings.Children)
                            {
                                Check(value, $"{name}.{label}");
                            }
                        }
                        if (key == "env" && name == "value" || name == "newTag")
                        {
                            Check(v, name!);
                        }
                        Walk(v, name == "env" ? "env" : null);
                    }
                    break;
                case YamlSequenceNode list:
                    foreach (var item in list.Children)
                    {
                        Walk(item, key);
                    }
                    break;
            }
        }

        void Check(YamlNode value, string where)
        {
            if (value is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } scalar && NotAString().IsMatch(text))
            {
                problems.Add($"{Path.GetRelativePath(Repository.Root, file)}:{scalar.Start.Line}: {where} is {text} unquoted, which YAML reads as no string; quote it.");
            }
        }
    }

    [Fact]
    public void EveryLabelAnnotationConfigMapValueAndEnvValueIsAString()
    {
        var problems = Directory.EnumerateFiles(Contract.KubernetesRoot, "*.yaml", SearchOption.AllDirectories).SelectMany(Problems).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void AnUnquotedBooleanLabelOrNumericEnvValueIsReported()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("scalars-").FullName, "deployment.yaml");
        File.WriteAllText(file, """
            metadata:
              labels:
                controltower.io/database-client: true
            spec:
              template:
                spec:
                  containers:
                    - name: app
                      env:
                        - name: ASPNETCORE_HTTP_PORTS
                          value: 8080
                        - name: FINE
                          value: "8080"
            """);
        try
        {
            var problems = Problems(file);
            Assert.Equal(2, problems.Count);
            Assert.Contains(problems, p => p.Contains("labels.controltower.io/database-client is true unquoted", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("value is 8080 unquoted", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    // YAML 1.1 booleans and nulls (as Kubernetes' YAML reader resolves them) and numbers.
    [GeneratedRegex(@"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|\.inf|\.nan))$")]
    private static partial Regex NotAString();
}
