// placeholder replaced below
console.log(JSON.stringify({ done: true }));
