using Mono.Cecil;

// Usage: Publicizer <output folder> <assembly to publicize>... [-r:<referenced assembly>]...
// Makes the internal types and members in Microsoft.ML namespaces public (private ones stay
// private), so the C# compiler accepts calls that the runtime then allows through
// IgnoresAccessChecksToAttribute. Compiler-generated and embedded attribute types are left
// alone: two assemblies each carry their own copy, and publishing both would clash.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Publicizer <output folder> <assembly to publicize>... [-r:<referenced assembly>]...");
    return 2;
}

// Cecil resolves constant types while writing, so it needs the folders of every reference.
using var resolver = new DefaultAssemblyResolver();
foreach (var folder in args.Where(a => a.StartsWith("-r:", StringComparison.Ordinal))
                           .Select(a => Path.GetDirectoryName(a[3..])!).Distinct())
{
    resolver.AddSearchDirectory(folder);
}

Directory.CreateDirectory(args[0]);
foreach (var path in args.Skip(1).Where(a => !a.StartsWith("-r:", StringComparison.Ordinal)))
{
    using var module = ModuleDefinition.ReadModule(path, new ReaderParameters { AssemblyResolver = resolver });
    foreach (var type in module.GetTypes())
    {
        if (!ShouldPublicize(type))
        {
            continue;
        }
        if (type.IsNested)
        {
            if (type.IsNestedAssembly || type.IsNestedFamilyAndAssembly || type.IsNestedFamilyOrAssembly)
            {
                type.IsNestedPublic = true;
            }
        }
        else
        {
            type.IsPublic = true;
        }
        foreach (var method in type.Methods)
        {
            if (method.IsAssembly || method.IsFamilyOrAssembly)
            {
                method.IsPublic = true;
            }
            else if (method.IsFamilyAndAssembly)
            {
                method.IsFamily = true;
            }
        }
        foreach (var field in type.Fields)
        {
            if (field.IsAssembly || field.IsFamilyOrAssembly)
            {
                field.IsPublic = true;
            }
            else if (field.IsFamilyAndAssembly)
            {
                field.IsFamily = true;
            }
        }
    }
    // Written under a temporary name first so that a failed run never leaves a half-written copy.
    var target = Path.Combine(args[0], Path.GetFileName(path));
    module.Write(target + ".tmp");
    File.Move(target + ".tmp", target, overwrite: true);
}
return 0;

static bool ShouldPublicize(TypeDefinition type)
{
    var outer = type;
    while (outer.DeclaringType is not null)
    {
        outer = outer.DeclaringType;
    }
    return outer.Namespace.StartsWith("Microsoft.ML", StringComparison.Ordinal)
        && !type.Name.StartsWith('<')
        && !type.CustomAttributes.Any(a => a.AttributeType.Name is "CompilerGeneratedAttribute" or "EmbeddedAttribute");
}
