using System.Runtime.CompilerServices;

[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices;

/// <summary>
/// Read by the .NET runtime (not declared in the base library): lets this assembly use the
/// internal API of the named assembly. MLNet.Lstm needs it to be a first-class ML.NET
/// transformer (schema shapes, model.zip save and load), which ML.NET's public API cannot do.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
{
    /// <summary>The simple name of the assembly whose internals are used.</summary>
    public string AssemblyName { get; } = assemblyName;
}
